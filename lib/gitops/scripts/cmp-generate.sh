#!/bin/sh
# Argo CD config management plugin, generate step: renders one profile of the cdk8s app in the repo server.
# stdout carries only the manifests (Argo CD parses it as one YAML stream); every message goes to stderr.
set -eu

profile="${ARGOCD_ENV_PROFILE:-}"
if [ -z "$profile" ]; then
  echo "cdk8s-stateful-ml plugin: no profile; set spec.source.plugin.env [{name: PROFILE, value: <profile>}] in the Application" >&2
  exit 1
fi
case "$profile" in
  *[!a-z0-9-]*)
    echo "cdk8s-stateful-ml plugin: PROFILE '$profile' is not a profile name (lowercase letters, digits and '-')" >&2
    exit 1
    ;;
esac

if [ ! -x node_modules/.bin/cdk8s ]; then
  echo "cdk8s-stateful-ml plugin: node_modules/.bin/cdk8s not found in $(pwd); the init step (npm ci) must run first" >&2
  exit 1
fi

# The upgrade guard compares with git history, which the plugin's copy of the repository does not carry;
# it runs where commits are made (npm run synth, CI).
PROFILES="$profile" CDK8S_UPGRADE_GUARD=off exec node_modules/.bin/cdk8s synth --stdout

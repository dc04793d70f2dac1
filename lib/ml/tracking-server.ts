import { IPeerable } from '../stateful';

/** An experiment-tracking server that training jobs report to (MLflow). */
export interface ITrackingServer extends IPeerable {
  /** URI clients set as MLFLOW_TRACKING_URI, e.g. `http://mlflow.ml-tracking.svc.cluster.local:5000`. */
  readonly trackingUri: string;
  /** TCP port clients connect to (admitted by the server's NetworkPolicy). */
  readonly port: number;
  /** Admits `peer` (e.g. trainer pods) to the server's port. */
  allowFrom(peer: IPeerable): void;
}

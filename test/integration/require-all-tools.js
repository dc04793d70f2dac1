// The suites that need optional programs (test/support/tools.ts) run here with every one required.
process.env.REQUIRE_ALL_TOOLS = '1';

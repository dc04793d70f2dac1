// The script suites run here under every POSIX shell; a missing one fails (test/support/shells.ts).
process.env.REQUIRE_ALL_SHELLS = '1';

/** The `nova` command's exit codes, which scripts may rely on (documented in the package README). */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** The API answered with an error, could not be reached, or a name matched no resource or several. */
  API_ERROR: 1,
  /** The command line or the cloud configuration (`OS_*`, clouds.yaml) is wrong; nothing was sent. */
  USAGE: 2,
  /** `--wait` gave up: the deadline passed, or the server went to ERROR. */
  WAIT_FAILED: 3,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

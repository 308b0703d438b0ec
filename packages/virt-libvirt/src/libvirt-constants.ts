// libvirt's public enums and flags we use (libvirt-domain.h, libvirt-host.h). Values are ABI.

/** virDomainState. */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

/** virDomainEventType: the lifecycle event kinds. */
export const DomainEventType = {
  DEFINED: 0,
  UNDEFINED: 1,
  STARTED: 2,
  SUSPENDED: 3,
  RESUMED: 4,
  STOPPED: 5,
  SHUTDOWN: 6,
  PMSUSPENDED: 7,
  CRASHED: 8,
} as const;

/** virDomainEventID: which event family to register for. */
export const DomainEventId = { LIFECYCLE: 0, REBOOT: 1 } as const;

/** virConnectFlags for CONNECT_OPEN. */
export const ConnectFlags = { READ_ONLY: 1 } as const;

/** virConnectListAllDomainsFlags. */
export const ListDomainsFlags = { ACTIVE: 1, INACTIVE: 2, PERSISTENT: 4, TRANSIENT: 8 } as const;

/** virDomainUndefineFlagsValues. */
export const UndefineFlags = {
  MANAGED_SAVE: 1,
  SNAPSHOTS_METADATA: 2,
  NVRAM: 4,
  KEEP_NVRAM: 8,
  CHECKPOINTS_METADATA: 16,
} as const;

/** virDomainDestroyFlagsValues. */
export const DestroyFlags = { DEFAULT: 0, GRACEFUL: 1 } as const;

/** virDomainShutdownFlagValues. */
export const ShutdownFlags = {
  DEFAULT: 0,
  ACPI_POWER_BTN: 1,
  GUEST_AGENT: 2,
  INITCTL: 4,
  SIGNAL: 8,
  PARAVIRT: 16,
} as const;

/** virDomainRebootFlagValues. */
export const RebootFlags = { DEFAULT: 0, ACPI_POWER_BTN: 1, GUEST_AGENT: 2 } as const;

/** virDomainXMLFlags. */
export const DomainXmlFlags = { SECURE: 1, INACTIVE: 2, UPDATE_CPU: 4, MIGRATABLE: 8 } as const;

/** virDomainCreateFlags. */
export const CreateFlags = { NONE: 0, START_PAUSED: 1, START_AUTODESTROY: 2 } as const;

/** virDomainConsoleFlags. */
export const ConsoleFlags = { FORCE: 1, SAFE: 2 } as const;

/** VIR_NODE_MEMORY_STATS_ALL_CELLS. */
export const NODE_MEMORY_STATS_ALL_CELLS = -1;

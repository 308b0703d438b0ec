// Helpers for tests of code that uses the libvirt driver.
/** A libvirt connection played in memory (driver logic tests). */

/** A cpio "newc" writer (initramfs images). */
export { type CpioEntry, cpioNewc } from "./cpio-newc.js";
/** The libvirtd socket for integration tests; throws (never skips) when the daemon is not running. */
export { requireLibvirtd } from "./libvirtd.js";
export { SCRIPTED_CAPABILITIES, ScriptedLibvirt, type ShutdownBehaviour } from "./scripted-libvirt.js";
/** The tiny real guest (Debian cloud kernel + busybox initramfs) for end-to-end tests. */
export { ensureTestGuest, TEST_GUEST_READY_LINE, type TestGuest, testGuestCacheDir } from "./test-guest.js";

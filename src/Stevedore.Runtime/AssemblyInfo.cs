using System.Runtime.Versioning;

// The engine drives Linux kernel features (overlayfs, cgroups, namespaces) and runc; it exists only on Linux.
[assembly: SupportedOSPlatform("linux")]

namespace Stevedore.Network.Cni;

/// <summary>A network configuration (conflist or conf) is missing, unreadable or not valid CNI configuration.</summary>
public sealed class CniConfigException(string message, Exception? inner = null) : Exception(message, inner);

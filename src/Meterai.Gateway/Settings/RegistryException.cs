namespace Meterai.Gateway.Settings;

/// <summary>
/// The registry cannot be used. Its message is the one line an operator sees at start-up:
/// it names the file, the entry and the fault, and never a secret.
/// </summary>
internal sealed class RegistryException(string message) : Exception(message);

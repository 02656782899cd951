using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Settings;

/// <summary>
/// Turns a start-up failure caused by configuration into the one line an operator acts on
/// (docs/api/gateway-api.md: the key and the allowed range, never a stack trace).
/// </summary>
internal static partial class ConfigurationFault
{
    /// <summary>Exit code of a start-up stopped by configuration (a bad value or a bad registry).</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// True when the gateway is the process, false when a test factory hosts it: then a fault must
    /// stay an exception, which the factory hands to the test, instead of a line and an exit code.
    /// </summary>
    public static bool IsOwnProcess => System.Reflection.Assembly.GetEntryAssembly() == typeof(ConfigurationFault).Assembly;

    public static bool TryDescribe(Exception exception, out string line)
    {
        var failures = new List<string>();
        Collect(exception, failures);
        line = string.Join(" ", failures.Distinct(StringComparer.Ordinal));
        return failures.Count > 0;
    }

    private static void Collect(Exception exception, List<string> failures)
    {
        switch (exception)
        {
            case RegistryException registry:
                failures.Add(registry.Message);
                break;
            case OptionsValidationException validation:
                failures.AddRange(validation.Failures.Select(f => f.ReplaceLineEndings(" ")));
                break;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, failures);
                }

                break;
            case InvalidOperationException when FailedConversion().Match(exception.Message) is { Success: true } match:
                failures.Add(DescribeUnreadable(match.Groups["key"].Value, match.Groups["type"].Value));
                break;
            default:
                if (exception.InnerException is { } cause)
                {
                    Collect(cause, failures);
                }

                break;
        }
    }

    /// <summary>A value the binder could not convert ("abc" for a number): the value is not echoed, it may be a secret.</summary>
    private static string DescribeUnreadable(string key, string type)
    {
        var kind = type switch
        {
            "System.Double" => "a number",
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Boolean" => "true or false",
            _ => "a " + type,
        };
        return OptionRanges.Find(key) is { } range
            ? $"{key} must be {kind} {OptionRanges.Describe(range)} (it is not one)."
            : $"{key} must be {kind} (it is not).";
    }

    [GeneratedRegex("^Failed to convert configuration value (?:'.*' )?at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex FailedConversion();
}

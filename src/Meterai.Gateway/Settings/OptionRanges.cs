using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Settings;

/// <summary>
/// Options validated from the <see cref="RangeAttribute"/> on each of their properties (and each
/// entry of an array property), so the allowed range is written once, next to the default, and
/// every fault names its key: <c>Probing:IntervalSeconds must be from 1 to 86400 (it is 0).</c>
/// </summary>
internal static class OptionRanges
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> and checks its ranges at start.</summary>
    public static OptionsBuilder<T> AddRangedOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new RangeValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// Binds <typeparamref name="T"/> now, for registrations that need a value before the host exists
    /// (a registry to load, triggers to declare), failing with the same lines as the start-up check.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value is out of its range.</exception>
    public static T BindChecked<T>(this IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        return Check(section, options) is { Count: > 0 } failures
            ? throw new OptionsValidationException(section, typeof(T), failures)
            : options;
    }

    /// <summary>"from 1 to 86400", "more than 0 and at most 60": the range as an operator reads it.</summary>
    public static string Describe(RangeAttribute range)
    {
        var min = Convert.ToString(range.Minimum, CultureInfo.InvariantCulture);
        var max = Convert.ToString(range.Maximum, CultureInfo.InvariantCulture);
        return (range.MinimumIsExclusive, range.MaximumIsExclusive) switch
        {
            (false, false) => $"from {min} to {max}",
            (true, false) => $"more than {min} and at most {max}",
            (false, true) => $"at least {min} and less than {max}",
            _ => $"more than {min} and less than {max}",
        };
    }

    /// <summary>The range declared for <c>Section:Property</c> on any options class of the gateway, if any.</summary>
    public static RangeAttribute? Find(string key)
    {
        var colon = key.LastIndexOf(':');
        if (colon <= 0)
        {
            return null;
        }

        // Array entries (Reconciliation:BackoffSeconds:2) take their property's range.
        var path = key[..colon];
        var name = key[(colon + 1)..];
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) && path.LastIndexOf(':') is > 0 and var inner)
        {
            name = path[(inner + 1)..];
            path = path[..inner];
        }

        foreach (var type in typeof(OptionRanges).Assembly.GetTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && string.Equals((string?)field.GetRawConstantValue(), path, StringComparison.OrdinalIgnoreCase)
                && type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
            {
                return property.GetCustomAttribute<RangeAttribute>();
            }
        }

        return null;
    }

    /// <summary>Every key of <paramref name="options"/> outside its declared range, one sentence each.</summary>
    public static IReadOnlyList<string> Check<T>(string section, T options)
        where T : class
    {
        var failures = new List<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<RangeAttribute>() is not { } range)
            {
                continue;
            }

            var value = property.GetValue(options);
            if (value is Array entries)
            {
                for (var i = 0; i < entries.Length; i++)
                {
                    CheckOne($"{section}:{property.Name}:{i}", entries.GetValue(i), range, failures);
                }
            }
            else
            {
                CheckOne($"{section}:{property.Name}", value, range, failures);
            }
        }

        return failures;
    }

    private static void CheckOne(string key, object? value, RangeAttribute range, List<string> failures)
    {
        // NaN passes RangeAttribute's comparisons, so it is refused here by name.
        if (value is double.NaN || !range.IsValid(value))
        {
            failures.Add($"{key} must be {Describe(range)} (it is {Convert.ToString(value, CultureInfo.InvariantCulture)}).");
        }
    }

    private sealed class RangeValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            Check(section, options) is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

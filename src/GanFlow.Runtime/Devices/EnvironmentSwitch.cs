namespace GanFlow.Runtime.Devices;

/// <summary>
/// A process-wide setting chosen by one environment variable (children inherit it), read at the process's start: one
/// of <paramref name="choices"/> (value and its meaning in words), the first when the variable is unset or empty. The CLI
/// refuses any other value (exit 2, <see cref="InvalidSetting"/>) before anything runs.
/// </summary>
public sealed class EnvironmentSwitch(string variable, params (string Value, string Meaning)[] choices)
{
    /// <summary>The environment variable.</summary>
    public string Variable => variable;

    /// <summary>The chosen value (the first choice when unset or empty), or null when the variable holds another.</summary>
    public string? Chosen
    {
        get
        {
            var wanted = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(wanted)) return choices[0].Value;
            return choices.Any(c => c.Value == wanted) ? wanted : null;
        }
    }

    /// <summary>The refusal of a value that is none of the choices, naming the variable and the value; null otherwise.</summary>
    public string? InvalidSetting() =>
        Chosen is not null
            ? null
            : $"{variable}={Environment.GetEnvironmentVariable(variable)}: use "
              + string.Join(" or ", choices.Select((c, i) => i == 0 ? $"{c.Value} (the default: {c.Meaning})" : $"{c.Value} ({c.Meaning})"));
}

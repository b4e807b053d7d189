using System.Numerics;
using System.Runtime.Serialization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PlanAct.IO;

/// <summary>A value out of its range, thrown while a YAML file is read so that the error names the key's line.</summary>
internal sealed class YamlValueException(string message) : Exception(message);

/// <summary>One YAML reading convention for every file we read: snake_case keys, errors with file:line in the user's words.</summary>
internal static partial class Yaml
{
    /// <summary>Unknown keys are errors: a typo in a configuration must not be silently ignored.</summary>
    public static IDeserializer Reader { get; } = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeInspector(inner => new KnownKeys(inner))
        .Build();

    public static InputException Error(YamlException e, string source, string what) =>
        new(new SourceLocation(source, (int)e.Start.Line), $"{what}: {Reason(e)}", e);

    public static T Read<T>(string path, string what)
        where T : class, new()
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new SourceLocation(path), $"cannot read {what}: {e.Message}", e);
        }

        try
        {
            return Reader.Deserialize<T?>(text) ?? new T();
        }
        catch (YamlException e)
        {
            throw Error(e, path, $"not a valid {what}");
        }
    }

    /// <summary>A number read from YAML that must be at least <paramref name="minimum"/>.</summary>
    /// <exception cref="YamlValueException">It is less.</exception>
    public static T? AtLeast<T>(T? value, T minimum, string key)
        where T : struct, INumber<T> =>
        value is { } v && v < minimum ? throw new YamlValueException($"{key} must be at least {minimum}; got {v}") : value;

    /// <summary>A number read from YAML that must lie in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    /// <exception cref="YamlValueException">It does not.</exception>
    public static T? Within<T>(T? value, T minimum, T maximum, string key)
        where T : struct, INumber<T> =>
        value is { } v && !(v >= minimum && v <= maximum) ? throw new YamlValueException($"{key} must be between {minimum} and {maximum}; got {v}") : value;

    /// <summary>A number read from YAML that must be more than 0.</summary>
    /// <exception cref="YamlValueException">It is not.</exception>
    public static T? Positive<T>(T? value, string key)
        where T : struct, INumber<T> =>
        value is { } v && !(v > T.Zero) ? throw new YamlValueException($"{key} must be more than 0; got {v}") : value;

    /// <summary>What is wrong, without YamlDotNet's wrapping or .NET type names.</summary>
    private static string Reason(YamlException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case YamlValueException value:
                    return value.Message;
                case FormatException or OverflowException:
                    return $"not a valid value here ({inner.Message})";

                // YamlDotNet's scanner fails this way on a flow collection ({…} or […]) that is not closed.
                case InvalidOperationException:
                    return "malformed YAML: a '{' or '[' opened here is not closed where it should be";
            }
        }

        var match = WrongNode().Match(e.Message);
        if (match.Success)
        {
            return $"expected {Kind(match.Groups[1].Value)} here";
        }

        var message = e.Message;
        var mark = message.IndexOf(" (at Line:", StringComparison.Ordinal);
        return mark > 0 ? message[..mark] : message;
    }

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Single" or "System.Double" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.String" => "a single value",
        _ when type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "a list",
        _ => "a mapping (key: value lines)",
    };

    [GeneratedRegex(@"^No node deserializer was able to deserialize the node into type ([^,\[]+)")]
    private static partial Regex WrongNode();

    /// <summary>Names an unknown key and the keys known at that place, instead of the .NET type that lacks it.</summary>
    private sealed class KnownKeys(ITypeInspector inner) : ITypeInspector
    {
        public IEnumerable<IPropertyDescriptor> GetProperties(Type type, object? container) => inner.GetProperties(type, container);

        public IPropertyDescriptor GetProperty(Type type, object? container, string name, bool ignoreUnmatched, bool caseInsensitivePropertyMatching)
        {
            try
            {
                return inner.GetProperty(type, container, name, ignoreUnmatched, caseInsensitivePropertyMatching);
            }
            catch (SerializationException)
            {
                var known = GetProperties(type, container).Select(p => p.Name).Order(StringComparer.Ordinal);
                throw new SerializationException($"unknown key \"{name}\" (known here: {string.Join(", ", known)})");
            }
        }

        public string GetEnumName(Type enumType, string name) => inner.GetEnumName(enumType, name);

        public string GetEnumValue(object enumValue) => inner.GetEnumValue(enumValue);

        public bool HasParseMethod(Type type) => inner.HasParseMethod(type);

        public object? Parse(string value, Type type) => inner.Parse(value, type);
    }
}

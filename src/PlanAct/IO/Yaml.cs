using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PlanAct.IO;

/// <summary>One YAML reading convention for every file we read: snake_case keys, errors with file:line.</summary>
internal static class Yaml
{
    /// <summary>Unknown keys are errors: a typo in a configuration must not be silently ignored.</summary>
    public static IDeserializer Reader { get; } = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static InputException Error(YamlException e, string source, string what) =>
        new(new SourceLocation(source, (int)e.Start.Line), $"{what}: {e.InnerException?.Message ?? e.Message}", e);

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
}

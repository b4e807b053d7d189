using System.Text;
using PlanAct.IO;

namespace PlanAct.Stages.Tasks;

/// <summary>What one site is and what it cannot do, in the generator's and the feasibility filter's prompts.</summary>
internal sealed record SiteNote(string About, EquatableList<string> Cannot)
{
    /// <summary>The note as prompts show it.</summary>
    public string Render()
    {
        var text = new StringBuilder(About.Trim()).Append("\n\nIt cannot:");
        foreach (var limit in Cannot)
        {
            text.Append("\n- ").Append(limit.Trim());
        }

        return text.ToString();
    }
}

/// <summary>
/// Feasibility notes per site, from YAML (<c>site: {about, cannot: [..]}</c>). The built-in notes cover the five
/// WebArena-Lite sites; a file's sites replace them one by one.
/// </summary>
internal sealed class SiteNotes(IReadOnlyDictionary<string, SiteNote> bySite)
{
    private readonly IReadOnlyDictionary<string, SiteNote> _bySite = bySite;

    /// <summary>What a prompt says for a site without notes.</summary>
    public const string Unknown = "(No notes on this site: judge from the task and the examples alone.)";

    public static SiteNotes BuiltIn { get; } = Parse(EmbeddedText.Read(typeof(SiteNotes), "sites.yaml"), "sites.yaml");

    public string Render(string site) => _bySite.TryGetValue(site, out var note) ? note.Render() : Unknown;

    /// <summary>These notes with the sites of <paramref name="path"/> put over them.</summary>
    public SiteNotes With(string path)
    {
        var file = Build(Yaml.Read<NotesFile>(path, "site notes file"), path);
        var merged = new Dictionary<string, SiteNote>(_bySite, StringComparer.OrdinalIgnoreCase);
        foreach (var (site, note) in file._bySite)
        {
            merged[site] = note;
        }

        return new SiteNotes(merged);
    }

    private static SiteNotes Parse(string yaml, string source)
    {
        try
        {
            return Build(Yaml.Reader.Deserialize<NotesFile?>(yaml) ?? [], source);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw Yaml.Error(e, source, "not a valid site notes file");
        }
    }

    private static SiteNotes Build(NotesFile file, string source)
    {
        var bySite = new Dictionary<string, SiteNote>(StringComparer.OrdinalIgnoreCase);
        foreach (var (site, entry) in file)
        {
            if (entry is not { About.Length: > 0 } || entry.Cannot is null || entry.Cannot.Any(string.IsNullOrWhiteSpace))
            {
                throw new InputException(new SourceLocation(source), $"site \"{site}\" needs \"about\" and a \"cannot\" list without empty entries");
            }

            bySite[site] = new SiteNote(entry.About, entry.Cannot.ToEquatableList());
        }

        return new SiteNotes(bySite);
    }

    private sealed class NotesFile : Dictionary<string, NoteEntry?>;

    private sealed class NoteEntry
    {
        public string? About { get; set; }

        public List<string>? Cannot { get; set; }
    }
}

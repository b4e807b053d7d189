using System.Globalization;
using System.Text.RegularExpressions;
using PlanAct.Actions;
using PlanAct.IO;
using PlanAct.Trajectories;

namespace PlanAct.Bench;

/// <summary>The trajectories the benchmark data is replicated from, and where they came from.</summary>
internal sealed partial record SampleTrajectories(string Source, IReadOnlyList<Trajectory> Trajectories)
{
    private static readonly string[] SampleFiles = ["samples/trajectories.jsonl", "samples/authoring/trajectories.jsonl"];

    /// <summary>WebRL's start pages, one <c>&lt;site&gt;.html</c> each.</summary>
    private const string StartPages = "samples/pages";

    /// <summary>Copy <paramref name="index"/> of the samples, its own trajectory: the counter has a fixed width so every cycle of samples has the same size.</summary>
    public Trajectory Copy(int index)
    {
        var sample = Trajectories[index % Trajectories.Count];
        return sample with
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"bench-{index:D8}"),
            Task = string.Create(CultureInfo.InvariantCulture, $"{sample.Task} (copy {index:D8})"),
            Source = null,
        };
    }

    /// <summary>The project's sample trajectories when they exist, else synthetic steps on the five real start pages.</summary>
    public static async Task<SampleTrajectories> LoadAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        foreach (var relative in SampleFiles)
        {
            var path = Path.Combine(repositoryRoot, relative);
            if (File.Exists(path))
            {
                var trajectories = new List<Trajectory>();
                await foreach (var trajectory in TrajectoryFiles.ReadAsync(path, new TrajectoryReadOptions(), cancellationToken))
                {
                    trajectories.Add(trajectory);
                }

                if (trajectories.Count > 0)
                {
                    return new SampleTrajectories(relative, trajectories);
                }
            }
        }

        var pages = Path.GetFullPath(Path.Combine(repositoryRoot, StartPages));
        var files = Directory.Exists(pages) ? Directory.GetFiles(pages, "*.html").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
        {
            throw new ArgumentException($"no sample trajectories: none of {string.Join(", ", SampleFiles)} exists, nor start pages in {pages}");
        }

        var synthetic = new List<Trajectory>();
        foreach (var file in files)
        {
            synthetic.Add(Synthesize(Path.GetFileNameWithoutExtension(file), await File.ReadAllTextAsync(file, cancellationToken)));
        }

        return new SampleTrajectories($"{StartPages} (synthetic steps on the real start pages)", synthetic);
    }

    /// <summary>A plausible four-step trajectory on one page: use a text box or click a link, click another, scroll, answer.</summary>
    private static Trajectory Synthesize(string site, string html)
    {
        var elements = InteractiveElement().Matches(html).Select(m => (Tag: m.Groups["tag"].Value, Id: m.Groups["id"].Value, Text: m.Groups["text"].Value)).ToList();
        var input = elements.FirstOrDefault(e => e.Tag == "input");
        var links = elements.Where(e => e.Tag is "a" or "button" && e.Text.Length > 0).ToList();
        if (links.Count < 2)
        {
            throw new ArgumentException($"the {site} start page has too few labelled links to build a sample trajectory");
        }

        WebAction[] actions =
        [
            input.Id is { } box
                ? WebAction.Do("Search", "latest updates", box, new ActionComment(CommentKind.Element, "the search box"))
                : WebAction.Do("Click", element: links[^1].Id, comments: new ActionComment(CommentKind.Element, links[^1].Text)),
            WebAction.Do("Click", element: links[0].Id, comments: new ActionComment(CommentKind.Element, links[0].Text)),
            WebAction.Do("Scroll Down"),
            WebAction.Exit($"The {site} page links to {links[0].Text} and {links[1].Text}.", new ActionComment(CommentKind.Note, $"{links.Count} labelled links")),
        ];
        var steps = actions.Select((action, index) => new TrajectoryStep(index, html, action)).ToEquatableList();
        return new Trajectory($"sample-{site}", site, $"Look around the {site} start page and name two of the places it links to", steps);
    }

    [GeneratedRegex("""<(?<tag>[a-z]+) id="(?<id>\d+)"(?:[^>]*?data-text="(?<text>[^"]*)")?[^>]*>""", RegexOptions.CultureInvariant)]
    private static partial Regex InteractiveElement();
}

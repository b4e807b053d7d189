using System.Globalization;
using System.Text;
using PlanAct.IO;
using PlanAct.Pipeline.Report;
using PlanAct.Teacher;
using PlanAct.Training;

namespace PlanAct.Viewing;

/// <summary>Where a page was asked from: the list's filter and page, carried to a record and back, and the profile examples are laid out in.</summary>
internal sealed record PageQuery(RecordFilter Filter, int Page, string Profile)
{
    /// <summary>The query string that asks for this list again (and this profile).</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        Add("kind", Filter.Kind);
        Add("site", Filter.Site);
        Add("origin", Filter.Origin);
        Add("outcome", Filter.Outcome);
        Add("page", Page > 0 ? Page.ToString(CultureInfo.InvariantCulture) : null);
        Add("profile", Profile);
        return string.Join('&', parts);
    }
}

/// <summary>
/// The viewer's HTML: the list of indexed records with its filters, and one record's page (its trajectory beside its
/// plans with the grounding marked, its examples under a profile, the teacher's rejected answers). Every text taken
/// from a record is HTML-escaped; the style sheet and script are the viewer's own, served beside the pages.
/// </summary>
internal static class ViewerPages
{
    public const string StylePath = "/viewer.css";
    public const string ScriptPath = "/viewer.js";

    /// <summary>Plan steps cycle through this many highlight colours (viewer.css defines <c>.g0</c>…).</summary>
    private const int Colours = 6;

    private static readonly string[] FilterFields = ["kind", "site", "origin", "outcome"];

    public static string Style => EmbeddedText.Read(typeof(ViewerPages), "viewer.css");

    public static string Script => EmbeddedText.Read(typeof(ViewerPages), "viewer.js");

    /// <summary>The list page: the filters (each value with its count) and one page of the matching entries.</summary>
    public static string List(RecordBrowser browser, PageQuery query, IReadOnlyList<IndexEntry> entries, int total, int pageSize)
    {
        var page = Begin($"planact view: {browser.Title}");
        page.Append("<h1>").Append(E(browser.Title)).Append("</h1><p class=\"meta\">")
            .Append(browser.Index.Entries.Count).Append(" records in ").Append(browser.Index.Files.Count).Append(" files")
            .Append(browser.TrajectoriesPath is { } trajectories ? $"; the actions of {browser.Trajectories.Count} trajectories from {E(trajectories)}" : "; no trajectories given")
            .Append("</p>");
        page.Append("<form class=\"filters\" method=\"get\" action=\"/\">");
        foreach (var field in FilterFields)
        {
            var selected = Field(query.Filter, field);
            page.Append("<label>").Append(field).Append(" <select name=\"").Append(field).Append("\" data-filter=\"").Append(field).Append("\"><option value=\"\">all</option>");
            foreach (var facet in browser.Index.Facets[field])
            {
                page.Append("<option value=\"").Append(E(facet.Value)).Append('"').Append(facet.Value == selected ? " selected" : "").Append('>')
                    .Append(E(facet.Value)).Append(" (").Append(facet.Count).Append(")</option>");
            }

            page.Append("</select></label> ");
        }

        page.Append("<input type=\"hidden\" name=\"profile\" value=\"").Append(E(query.Profile)).Append("\"><button type=\"submit\">filter</button></form>");
        var first = (query.Page * pageSize) + 1;
        page.Append("<p class=\"count\">").Append(total == 0 ? "no records match" : $"{first}–{first + entries.Count - 1} of {total}").Append("</p>");
        page.Append("<table class=\"records\"><thead><tr><th>id</th><th>kind</th><th>site</th><th>origin</th><th>outcome</th><th>file</th></tr></thead><tbody>");
        foreach (var entry in entries)
        {
            page.Append("<tr class=\"").Append(E(entry.Outcome)).Append("\" data-kind=\"").Append(E(entry.Kind)).Append("\"><td><a href=\"/record/")
                .Append(entry.Number).Append('?').Append(E(query.ToQueryString())).Append("\">").Append(E(entry.Id)).Append("</a></td><td>")
                .Append(E(entry.Kind)).Append("</td><td>").Append(E(entry.Site)).Append("</td><td>").Append(E(entry.Origin)).Append("</td><td>")
                .Append(E(entry.Outcome)).Append("</td><td>").Append(E(Path.GetFileName(browser.Index.Files[entry.File]))).Append(':').Append(entry.Line).Append("</td></tr>");
        }

        page.Append("</tbody></table><nav class=\"pager\">");
        if (query.Page > 0)
        {
            page.Append("<a rel=\"prev\" href=\"/?").Append(E((query with { Page = query.Page - 1 }).ToQueryString())).Append("\">← previous</a> ");
        }

        if ((query.Page + 1) * pageSize < total)
        {
            page.Append("<a rel=\"next\" href=\"/?").Append(E((query with { Page = query.Page + 1 }).ToQueryString())).Append("\">next →</a>");
        }

        return page.Append("</nav>").Append(End()).ToString();
    }

    /// <summary>One record's page.</summary>
    /// <param name="view">The record.</param>
    /// <param name="query">The list it was opened from and the profile its examples are laid out in.</param>
    /// <param name="profiles">The profiles the page offers.</param>
    public static string Record(RecordView view, PageQuery query, IReadOnlyList<string> profiles)
    {
        var entry = view.Entry;
        var page = Begin($"{entry.Id}: planact view");
        page.Append("<p><a href=\"/?").Append(E(query.ToQueryString())).Append("\">← records</a></p>");
        page.Append("<h1>").Append(E(entry.Id)).Append("</h1><p class=\"meta\"><span class=\"tag\">").Append(E(entry.Kind)).Append("</span> <span class=\"tag\">")
            .Append(E(entry.Site)).Append("</span> <span class=\"tag\">").Append(E(entry.Origin)).Append("</span> <span class=\"tag outcome ").Append(E(entry.Outcome)).Append("\">")
            .Append(E(entry.Outcome)).Append("</span> ").Append(E(view.Location.ToString())).Append("</p>");
        if (view.Task.Length > 0)
        {
            page.Append("<p class=\"task\"><b>task:</b> ").Append(E(view.Task)).Append("</p>");
        }

        if (view.QuarantineReason is { } reason)
        {
            Quarantine(page, reason, view.Attempts);
        }

        page.Append("<div class=\"side-by-side\"><section class=\"plans\"><h2>plan</h2>");
        if (view.Plans.Count == 0)
        {
            page.Append("<p class=\"empty\">").Append(view.QuarantineReason is null ? "no plan in this record" : "no plan was accepted").Append("</p>");
        }

        foreach (var (plan, number) in view.Plans.Select((p, i) => (p, i)))
        {
            Plan(page, plan, number);
        }

        page.Append("</section><section class=\"trajectory\"><h2>trajectory</h2>");
        Actions(page, view);
        page.Append("</section></div>");
        if (view.Label is { } label)
        {
            page.Append("<h2>failure class</h2><p><b>").Append(E(label.Class)).Append("</b></p><pre>").Append(E(label.Reasoning)).Append("</pre>");
        }

        if (view.Reasoning is { } reasoning)
        {
            page.Append("<h2>teacher's reasoning</h2><pre class=\"reasoning\">").Append(E(reasoning)).Append("</pre>");
        }

        if (view.AnnotationTrace is { } trace)
        {
            page.Append("<h2>annotation trace (written seeing every action; never training data)</h2><pre class=\"reasoning\">").Append(E(trace)).Append("</pre>");
        }

        if (view.Rejections.Count > 0)
        {
            page.Append("<h2>answers rejected before this one</h2><ol class=\"rejections\">");
            foreach (var rejection in view.Rejections)
            {
                page.Append("<li class=\"rejection-reason\">").Append(E(rejection)).Append("</li>");
            }

            page.Append("</ol>");
        }

        if (view.Hindsight.Count > 0)
        {
            page.Append("<h2>hindsight findings</h2><ul class=\"hindsight\">");
            foreach (var finding in view.Hindsight)
            {
                page.Append("<li>").Append(E(finding)).Append("</li>");
            }

            page.Append("</ul>");
        }

        if (view.Examples.Count > 0)
        {
            Examples(page, view.Examples, query, profiles);
        }

        return page.Append(End()).ToString();
    }

    /// <summary>A plan's steps; each names the actions it covers (<c>data-actions</c>), which the script highlights and the trajectory marks.</summary>
    private static void Plan(StringBuilder page, PlanView plan, int number)
    {
        page.Append("<div class=\"plan\" data-plan=\"").Append(number).Append("\"><h3>").Append(E(plan.Title)).Append("</h3><ol class=\"steps\">");
        foreach (var step in plan.Plan.Steps)
        {
            var actions = step.Actions ?? [];
            page.Append("<li class=\"plan-step g").Append((step.Number - 1) % Colours).Append("\" data-step=\"").Append(step.Number).Append("\" data-actions=\"")
                .Append(string.Join(' ', actions)).Append("\" tabindex=\"0\"><div class=\"step\">").Append(E(step.Step)).Append("</div>");
            if (step.Description is { } description)
            {
                page.Append("<div class=\"description\">").Append(E(description)).Append("</div>");
            }

            page.Append("<div class=\"field-reasoning\">").Append(E(step.Reasoning)).Append("</div>");
            if (actions.Count > 0)
            {
                page.Append("<div class=\"grounding\">actions ").Append(actions.Count == 1 ? $"{actions[0]}" : $"{actions[0]}–{actions[^1]}").Append("</div>");
            }

            page.Append("</li>");
        }

        page.Append("</ol></div>");
    }

    /// <summary>The trajectory's actions; each is marked with the step of the first plan that covers it (for a replan, the initial plan).</summary>
    private static void Actions(StringBuilder page, RecordView view)
    {
        if (view.Actions is not { } actions)
        {
            page.Append("<p class=\"empty\">").Append(E(view.NoActionsBecause ?? "no trajectory")).Append("</p>");
            return;
        }

        var coveredBy = new Dictionary<int, int>();
        foreach (var step in view.Plans.Count > 0 ? view.Plans[0].Plan.Steps : [])
        {
            foreach (var action in step.Actions ?? [])
            {
                coveredBy.TryAdd(action, step.Number);
            }
        }

        page.Append("<ol class=\"actions\" start=\"0\">");
        foreach (var (action, i) in actions.Select((a, i) => (a, i)))
        {
            page.Append("<li class=\"action");
            if (coveredBy.TryGetValue(i, out var stepNumber))
            {
                page.Append(" covered g").Append((stepNumber - 1) % Colours);
            }

            if (i == view.CurrentStep)
            {
                page.Append(" current");
            }

            page.Append("\" id=\"action-").Append(i).Append("\" data-action=\"").Append(i).Append('"');
            if (coveredBy.ContainsKey(i))
            {
                page.Append(" data-step=\"").Append(stepNumber).Append('"');
            }

            page.Append("><span class=\"number\">").Append(i).Append("</span>");
            if (coveredBy.ContainsKey(i))
            {
                page.Append("<span class=\"badge\">step ").Append(stepNumber).Append("</span>");
            }

            page.Append("<pre>").Append(E(action)).Append("</pre></li>");
        }

        page.Append("</ol>");
    }

    private static void Quarantine(StringBuilder page, string reason, IReadOnlyList<TeacherAttempt> attempts)
    {
        page.Append("<section class=\"quarantine\"><h2>quarantined</h2><p class=\"quarantine-reason\">").Append(E(reason)).Append("</p>");
        foreach (var attempt in attempts)
        {
            page.Append("<div class=\"attempt\"><h3>attempt ").Append(attempt.Attempt).Append("</h3><p class=\"rejection-reason\">").Append(E(attempt.Error)).Append("</p>");
            if (attempt.Reasoning is { } reasoning)
            {
                page.Append("<details><summary>reasoning</summary><pre>").Append(E(reasoning)).Append("</pre></details>");
            }

            page.Append("<pre class=\"answer\">").Append(E(attempt.Answer ?? "(no answer)")).Append("</pre></div>");
        }

        page.Append("</section>");
    }

    private static void Examples(StringBuilder page, IReadOnlyList<ExampleView> examples, PageQuery query, IReadOnlyList<string> profiles)
    {
        page.Append("<h2>as the model sees it</h2><form class=\"profile\" method=\"get\">");
        foreach (var field in FilterFields)
        {
            if (Field(query.Filter, field) is { } value)
            {
                page.Append("<input type=\"hidden\" name=\"").Append(field).Append("\" value=\"").Append(E(value)).Append("\">");
            }
        }

        page.Append("<input type=\"hidden\" name=\"page\" value=\"").Append(query.Page).Append("\"><label>profile <select name=\"profile\" data-autosubmit>");
        foreach (var profile in profiles)
        {
            page.Append("<option").Append(profile == query.Profile ? " selected" : "").Append('>').Append(E(profile)).Append("</option>");
        }

        page.Append("</select></label> <button type=\"submit\">lay out</button></form>");
        foreach (var (example, i) in examples.Select((e, i) => (e, i)))
        {
            // A replan record has one example per round: the first is open, the others a click away.
            page.Append("<details class=\"example\"").Append(i == 0 ? " open" : "").Append("><summary>").Append(E(example.Title)).Append("</summary>");
            if (example.Messages is not { } messages)
            {
                page.Append("<p class=\"refusal\">").Append(E(example.Refusal ?? "")).Append("</p></details>");
                continue;
            }

            foreach (var (message, m) in messages.Select((message, m) => (message, m)))
            {
                var role = ExampleNames.Of(message.Role);
                page.Append("<div class=\"message ").Append(role).Append(m == messages.Count - 1 ? " target" : "").Append("\"><div class=\"role\">")
                    .Append(role).Append(m == messages.Count - 1 ? " (target)" : "").Append("</div><pre>").Append(E(message.Content)).Append("</pre></div>");
            }

            page.Append("</details>");
        }
    }

    private static string? Field(RecordFilter filter, string field) => field switch
    {
        "kind" => filter.Kind,
        "site" => filter.Site,
        "origin" => filter.Origin,
        _ => filter.Outcome,
    };

    private static StringBuilder Begin(string title) => new StringBuilder()
        .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><link rel=\"icon\" href=\"data:,\"><title>")
        .Append(E(title)).Append("</title><link rel=\"stylesheet\" href=\"").Append(StylePath).Append("\"></head><body>");

    private static string End() => $"<script src=\"{ScriptPath}\"></script></body></html>";

    private static string E(string text) => SvgChart.Escape(text);
}

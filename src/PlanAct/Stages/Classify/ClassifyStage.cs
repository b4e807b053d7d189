using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Teacher;

namespace PlanAct.Stages.Classify;

/// <summary>
/// Failure classification (SPEC §2.5): the teacher reads a plan record and the failure classes of its site and names
/// the class the record would help with, or Other. The record comes back with its <see cref="PlanRecord.Label"/>.
/// </summary>
internal sealed partial class ClassifyStage(FailureClasses classes) : ITeacherStage<PlanRecord, PlanRecord>
{
    public const string StageName = "classify";

    public string Name => StageName;

    public string IdOf(PlanRecord item) => item.Id;

    public string Format(PlanRecord output) => PlanJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) =>
        PlanJsonl.Read(line, location) is { Label: not null } record ? record.Id : throw new InputException(location, "a plan record without \"label\": not classify's output");

    [GeneratedRegex(@"^[ \t]*(?:\*\*)?[ \t]*#{1,6}[ \t]*(?:\*\*)?[ \t]*(Reasoning|Classification)[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Section();

    public async Task<ItemResult<PlanRecord>> ProcessAsync(PlanRecord item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var siteClasses = classes.For(item.Site);
        if (siteClasses.Count == 0)
        {
            return new ItemResult<PlanRecord>.Skipped($"the classes file has no failure classes for site \"{item.Site}\"");
        }

        var outcome = await teacher.AskAsync(item.Id, Messages(item, siteClasses), reply => Check(reply.Text, siteClasses), cancellationToken);
        return outcome switch
        {
            TeacherOutcome<FailureLabel>.Accepted accepted => new ItemResult<PlanRecord>.Done(item with { Label = accepted.Value }),
            TeacherOutcome<FailureLabel>.Failed failed => new ItemResult<PlanRecord>.Quarantined(failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    public static IReadOnlyList<ChatMessage> Messages(PlanRecord record, IReadOnlyList<FailureClass> siteClasses)
    {
        var list = new StringBuilder();
        foreach (var c in siteClasses)
        {
            list.Append("### ").Append(c.Name).Append('\n').Append("Description: ").Append(c.Description).Append('\n');
            if (c.DataNeeded.Length > 0)
            {
                list.Append("Data needed: ").Append(c.DataNeeded).Append('\n');
            }

            foreach (var example in c.Examples)
            {
                list.Append("- Example task: ").Append(example).Append('\n');
            }

            list.Append('\n');
        }

        var user = PromptTemplate.Load(typeof(ClassifyStage), "classify.user.md").Fill(
            ("site", record.Site),
            ("classes", list.ToString().TrimEnd()),
            ("query", record.Task),
            ("plan", PlanText.Format(record.Plan, PlanTextStyle.Target).Trim()));
        return [new ChatMessage(ChatRole.System, EmbeddedText.Read(typeof(ClassifyStage), "classify.system.md")), new ChatMessage(ChatRole.User, user)];
    }

    /// <summary>Reads "## Reasoning" and "## Classification"; the class must be one of the site's or Other.</summary>
    public static Checked<FailureLabel> Check(string answer, IReadOnlyList<FailureClass> siteClasses) =>
        AnswerForms.Classification.Check(answer, text => CheckSections(text, siteClasses));

    private static Checked<FailureLabel> CheckSections(string answer, IReadOnlyList<FailureClass> siteClasses)
    {
        var sections = Section().Matches(answer);
        string? Body(string name)
        {
            var i = sections.ToList().FindIndex(m => m.Groups[1].Value.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
            {
                return null;
            }

            var end = i + 1 < sections.Count ? sections[i + 1].Index : answer.Length;
            return answer[(sections[i].Index + sections[i].Length)..end].Trim();
        }

        var allowed = string.Join(", ", siteClasses.Select(c => c.Name).Append(FailureLabel.Other));
        var reasoning = Body("Reasoning");
        var classification = Body("Classification");
        if (reasoning is not { Length: > 0 } || classification is null)
        {
            return Checked<FailureLabel>.Fail("Answer with a '## Reasoning' section and a '## Classification' section.");
        }

        var name = classification.Split('\n')[0].Trim().Trim('*', '`', '"', '\'', '.', ' ');
        var known = siteClasses.Select(c => c.Name).Append(FailureLabel.Other).FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
        return known is null
            ? Checked<FailureLabel>.Fail($"'{name}' is not one of the classes. Under '## Classification' write exactly one of: {allowed}.")
            : Checked<FailureLabel>.Ok(new FailureLabel(known, reasoning));
    }
}

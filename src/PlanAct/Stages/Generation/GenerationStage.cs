using PlanAct.IO;
using PlanAct.Teacher;

namespace PlanAct.Stages.Generation;

/// <summary>
/// Asks one generation request and keeps every pair of the answer with its form check. An answer with no pairs at
/// all (or, with <paramref name="exactPairs"/>, the wrong number) is re-asked with the exact error; single bad pairs
/// are not: they are recorded as rejected, like duplicates.
/// </summary>
internal sealed class GenerationStage(string name, string model, int? exactPairs = null) : ITeacherStage<GenerationRequest, GeneratedAnswer>
{
    public string Name => name;

    public string IdOf(GenerationRequest item) => item.Id;

    public string Format(GeneratedAnswer output) => GeneratedAnswerJsonl.Format(output);

    public string IdOfRecord(string line, SourceLocation location) => GeneratedAnswerJsonl.Read(line, location).Id;

    public async Task<ItemResult<GeneratedAnswer>> ProcessAsync(GenerationRequest item, TeacherDialog teacher, CancellationToken cancellationToken)
    {
        var outcome = await teacher.AskAsync(item.Id, item.Messages, reply => Check(reply.Text, item.Seeds.Count), cancellationToken);
        var requests = outcome.Rejected.Select(a => a.RequestId).OfType<string>();
        return outcome switch
        {
            TeacherOutcome<IReadOnlyList<GeneratedPair>>.Accepted accepted => new ItemResult<GeneratedAnswer>.Done(
                new GeneratedAnswer(item.Id, item.Index, item.Site, item.Seeds.Select(s => s.Id).ToEquatableList(), accepted.Value)
                {
                    Teacher = model,
                    Requests = requests.Append(accepted.Reply.RequestId).OfType<string>().ToEquatableList(),
                }),
            TeacherOutcome<IReadOnlyList<GeneratedPair>>.Failed failed => new ItemResult<GeneratedAnswer>.Quarantined(failed.Reason, failed.Rejected),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    public Checked<IReadOnlyList<GeneratedPair>> Check(string answer, int seedCount) => AnswerForms.DataPairs.Check(answer, text => CheckPairs(text, seedCount));

    private Checked<IReadOnlyList<GeneratedPair>> CheckPairs(string answer, int seedCount)
    {
        var (pairs, error) = DataPairText.Parse(answer, seedCount);
        if (error is not null)
        {
            return Checked<IReadOnlyList<GeneratedPair>>.Fail(error);
        }

        return exactPairs is { } exact && pairs.Count != exact
            ? Checked<IReadOnlyList<GeneratedPair>>.Fail($"Write exactly {exact} '## Data Pair' block{(exact == 1 ? "" : "s")}; the answer has {pairs.Count}.")
            : Checked<IReadOnlyList<GeneratedPair>>.Ok(pairs);
    }
}

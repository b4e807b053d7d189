using System.Threading.Channels;

namespace PlanAct.Export;

/// <summary>
/// A JSONL format with a validation split: the train examples go to the output, the validation ones to
/// <see cref="ValidationPath"/> beside it, both in the inner format and in one pass over the examples (the validation
/// file is written concurrently through a bounded channel, so nothing is held in memory).
/// </summary>
internal sealed class SplitFileFormat(IExportFormat inner, ExampleSplit split) : IExportFormat
{
    public IExportFormat Inner => inner;

    public ExampleSplit Split => split;

    public string Name => inner.Name;

    public string OutputName(string baseName) => inner.OutputName(baseName);

    public string DefaultCardPath(string output) => inner.DefaultCardPath(output);

    /// <summary>The validation file of an output: <c>&lt;name&gt;.validation&lt;ext&gt;</c> beside it.</summary>
    public static string ValidationPath(string output) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, $"{Path.GetFileNameWithoutExtension(output)}.{ExampleSplit.ValidationSplit}{Path.GetExtension(output)}");

    public async Task<FormatResult> WriteAsync(string path, IAsyncEnumerable<ExportedExample> examples, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<ExportedExample>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        // On the caller's scheduler (the thread pool, or the pipeline's CPU work lane), not always the pool's.
        var validation = Task.Factory.StartNew(
            () => inner.WriteAsync(ValidationPath(path), channel.Reader.ReadAllAsync(stop.Token), stop.Token), stop.Token, TaskCreationOptions.DenyChildAttach, TaskScheduler.Current).Unwrap();

        async IAsyncEnumerable<ExportedExample> Train()
        {
            await foreach (var example in examples.WithCancellation(cancellationToken))
            {
                if (split.SplitOf(example.Example) == ExampleSplit.Train)
                {
                    yield return example;
                }
                else
                {
                    // A validation writer that failed reads no more: stop rather than wait on a full channel.
                    await channel.Writer.WriteAsync(example, validation.IsFaulted ? throw validation.Exception!.InnerException! : stop.Token);
                }
            }
        }

        FormatResult train;
        try
        {
            train = await inner.WriteAsync(path, Train(), cancellationToken);
            channel.Writer.Complete();
        }
        catch (Exception error)
        {
            channel.Writer.TryComplete(error);
            await stop.CancelAsync();
            throw;
        }

        var written = await validation;
        return new FormatResult(train.Written + written.Written) { ValidationWritten = written.Written };
    }

    public string TrainerSnippet(string output) =>
        inner.TrainerSnippet(output) + $"\n\nThe validation split is `{Path.GetFileName(ValidationPath(output))}` beside it, in the same format: give it to the trainer as its evaluation set.";
}

using System.Text.Json;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// TRL's conversational prompt-completion form: <c>{"prompt": [messages before the target], "completion": [the target]}</c>.
/// SFTTrainer computes the loss on the completion only, so a multi-turn example trains its target and nothing else.
/// </summary>
internal sealed class TrlFormatter : IExampleFormatter
{
    public string Name => "trl";

    public void WriteMembers(Utf8JsonWriter json, IReadOnlyList<ExampleMessage> messages)
    {
        ExampleFormatters.WriteMessages(json, "prompt", [.. messages.Take(messages.Count - 1)]);
        ExampleFormatters.WriteMessages(json, "completion", [messages[^1]]);
    }

    public string TrainerSnippet(string output) => $$"""
        TRL's `SFTTrainer` (conversational prompt-completion; the loss is on the completion only):

        ```python
        from datasets import load_dataset
        from trl import SFTConfig, SFTTrainer
        dataset = load_dataset("json", data_files="{{Path.GetFileName(output)}}", split="train")
        trainer = SFTTrainer(model="Qwen/Qwen2.5-7B-Instruct", train_dataset=dataset, args=SFTConfig(output_dir="out"))
        trainer.train()
        ```
        """;
}

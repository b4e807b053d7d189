namespace PlanAct.Training;

/// <summary>
/// Checks the shape every exporter relies on: an optional system message first, then user and assistant turns
/// alternating from a user turn, no empty content, and the assistant target last.
/// </summary>
internal static class ExampleValidator
{
    public static IReadOnlyList<string> Validate(TrainingExample example)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(example.Id))
        {
            errors.Add("the id is empty");
        }

        if (string.IsNullOrWhiteSpace(example.Task))
        {
            errors.Add("the task is empty");
        }

        if (example.Source.Trajectory is null && example.Source.Plan is null)
        {
            errors.Add("the source names neither a trajectory nor a plan");
        }

        var messages = example.Messages;
        if (messages.Count == 0)
        {
            errors.Add("there are no messages");
            return errors;
        }

        var first = messages[0].Role == MessageRole.System ? 1 : 0;
        if (first == messages.Count)
        {
            errors.Add("there is only a system message");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (string.IsNullOrWhiteSpace(message.Content))
            {
                errors.Add($"message {i} ({ExampleNames.Of(message.Role)}) is empty");
            }

            if (i < first)
            {
                continue;
            }

            var expected = (i - first) % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            if (message.Role != expected)
            {
                errors.Add(message.Role == MessageRole.System
                    ? $"message {i} is a system message; only the first message may be one"
                    : $"message {i} is {ExampleNames.Of(message.Role)} where {ExampleNames.Of(expected)} was expected (user and assistant turns alternate, starting with user)");
            }
        }

        if (messages[^1].Role != MessageRole.Assistant)
        {
            errors.Add($"the last message is {ExampleNames.Of(messages[^1].Role)}; it must be the assistant target");
        }

        return errors;
    }
}

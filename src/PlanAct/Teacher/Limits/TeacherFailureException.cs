namespace PlanAct.Teacher.Limits;

/// <summary>The teacher could not give a usable answer: retries ran out, or the answer was cut or filtered.</summary>
internal sealed class TeacherFailureException(string message, Exception? inner = null) : Exception(message, inner);

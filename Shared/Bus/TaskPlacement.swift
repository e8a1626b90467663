/// Where the tasks a service starts run: the global executor live; one serial executor in the
/// trading kernel, so that a run has one order of events and is repeatable.
///
/// A task executor preference is inherited by child tasks but not by unstructured ones, so a
/// service starts its background work with ``spawn(_:)`` instead of `Task {}`: the preference
/// travels in a task-local, which every task inherits.
public enum TaskPlacement {
    @TaskLocal public static var executor: (any TaskExecutor)?

    /// `Task { … }` on the placement's executor (the global one when there is none).
    @discardableResult
    public static func spawn<Success: Sendable>(_ operation: sending @escaping () async -> Success) -> Task<Success, Never> {
        Task(executorPreference: executor, operation: operation)
    }
}

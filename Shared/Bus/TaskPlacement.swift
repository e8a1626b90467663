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

    /// Waits until the work already set off has run, where the executor can tell (the kernel's
    /// serial scheduler: until nothing else is ready); live, a yield. Background work calls it
    /// first so that what a quote set off on the way to an order runs before it: the pricer
    /// before a chain's refresh, marketdata between an underlying's quote and its options'. Task priorities cannot say this: a task group's waiting parent
    /// raises its children to its own priority, so a child started `.low` runs as medium.
    public static func afterReadyWork(_ kind: DeferredWork) async {
        if let idle = executor as? any IdleAwareExecutor { await idle.whenIdle(kind) } else { await Task.yield() }
    }

    /// Whether ``afterReadyWork(_:)`` waits for the work already set off (the kernel), rather
    /// than only yielding (live, where the order of two tasks is not kept).
    public static var defersWork: Bool { executor is any IdleAwareExecutor }

    /// Work that waits for the order path, in the order it resumes when several wait: the rest of
    /// a market's quotes before what is derived from them, so a chain is repriced once a burst,
    /// with every quote of it.
    public enum DeferredWork: Sendable {
        /// Quotes held back behind an underlying's (marketdata's options).
        case quotes
        /// What is computed from quotes (the pricer's refresh of a chain).
        case derived
    }
}

/// An executor that knows when nothing else is ready to run (``TaskPlacement/afterReadyWork()``).
public protocol IdleAwareExecutor: TaskExecutor {
    /// Returns when nothing else is ready to run, and no waiter of an earlier kind is left.
    func whenIdle(_ kind: TaskPlacement.DeferredWork) async
}

import Bus
import Messages
import StrategyKit

/// An operator's edits of strategy parameters (the dashboard's Parameters panel). The worker
/// that answers checks the edit and publishes it; every worker, that one included, applies what
/// is published, so all copies of a strategy run the same settings; the recorder keeps each edit,
/// and a worker that starts applies the edits in force before its strategies start.
extension StrategyHost {
    func parametersReply() -> Volta_V1_StrategyReply {
        var reply = Volta_V1_StrategyReply()
        reply.parameters = editor?.parameters() ?? []
        return reply
    }

    func acceptEdit(_ change: Volta_V1_ParameterChange) -> Volta_V1_StrategyReply {
        var reply = Volta_V1_StrategyReply()
        guard let editor else {
            reply.outcome = "not_editable"
            reply.detail = "this host's strategy parameters are fixed (it was given its strategies ready-made)"
            return reply
        }
        do {
            var checked = try editor.check(change)
            checked.atNs = bus.clock.now()
            if checked.who.isEmpty { checked.who = "operator" }
            guard bus.publish(checked) else {
                reply.outcome = "unavailable"
                reply.detail = "the edit could not be published to the strategy workers (bus full); nothing changed"
                return reply
            }
            reply.outcome = "applied"
            reply.detail = checked.reset ? "\(checked.key) is back to its configured value" : "\(checked.key) = \(checked.value) (was \(checked.previous))"
            reply.change = checked
        } catch {
            reply.outcome = error.outcome
            reply.detail = error.detail
        }
        return reply
    }

    /// Every worker: published edits reach its copy of each strategy.
    func followParameterChanges() async {
        for await m in bus.subscribe(Volta_V1_ParameterChange.self, prefix: Topics.Prefix.parameterChanges) {
            adopt(m.message)
        }
    }

    /// The strategy takes the edited settings and keeps what it holds; what the change calls for
    /// (a routine at its new time, stops resized) is performed like any other action.
    func adopt(_ change: Volta_V1_ParameterChange) {
        guard let editor else { return }
        let made: (plugin: StrategyPlugin, fresh: any Strategy)
        do { made = try editor.apply(change) } catch {
            parameterFailures.increment()
            logger.error("an operator's parameter edit could not be applied", metadata: ["key": "\(change.key)", "error": "\(error)"])
            return
        }
        guard let slot = slots.first(where: { $0.name == made.plugin.name }) else { return }
        let now = bus.clock.now()
        let context = context(at: now)
        let actions = slot.state.withLock { s -> [StrategyAction]? in
            guard let actions = s.strategy.adoptSettings(from: made.fresh, context) else { return nil }
            s.note(actions)
            return actions
        }
        guard let actions else {
            parameterFailures.increment()
            logger.error("the strategy cannot take new parameters while it runs; restart it to apply", metadata: ["key": "\(change.key)"])
            return
        }
        logger.notice("parameter edited", metadata: ["key": "\(change.key)", "value": "\(change.reset ? "(configured)" : change.value)",
                                                     "previous": "\(change.previous)", "who": "\(change.who)"])
        perform(actions, for: slot, now: now)
    }

    /// The edits in force, from the recorder, applied before the strategies start. A recorder
    /// that does not answer is asked again for a minute; the strategies start meanwhile on the
    /// configuration, and take the edits when they come.
    func restoreEdits() async -> Bool {
        guard editor != nil else { return true }
        var query = Volta_V1_RecorderQuery()
        query.name = "parameter_edits"
        let table: Volta_V1_RecorderTable
        do {
            table = try await bus.request(service: Topics.Service.recorder, query, as: Volta_V1_RecorderTable.self, timeout: .seconds(2), retries: 1)
        } catch {
            logger.warning("the recorder did not answer for the parameter edits in force; asking again", metadata: ["error": "\(error)"])
            return false
        }
        let column = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($1, $0) })
        func text(_ row: Volta_V1_TableRow, _ name: String) -> String? {
            guard let i = column[name], i < row.cells.count, case .text(let s)? = row.cells[i].value else { return nil }
            return s
        }
        for row in table.rows {
            guard let key = text(row, "key"), let value = text(row, "value") else { continue }
            var change = Volta_V1_ParameterChange()
            change.key = key
            change.value = value
            change.who = text(row, "who") ?? ""
            if let i = column["ts_ns"], i < row.cells.count, case .integer(let ns)? = row.cells[i].value { change.atNs = ns }
            adopt(change)
        }
        if !table.rows.isEmpty { logger.notice("parameter edits restored", metadata: ["count": "\(table.rows.count)"]) }
        return true
    }

    func restoreEditsUntilDone() async {
        for _ in 0..<12 {
            if await restoreEdits() { return }
            do { try await bus.clock.sleep(for: .seconds(5)) } catch { return }
        }
        logger.error("no parameter edits restored: the recorder never answered; the strategies run on the configuration")
    }
}

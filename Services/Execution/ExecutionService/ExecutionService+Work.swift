import Bus
import Messages
import Trading

extension ExecutionService {
    /// One intent from risk to its end: ask risk (again while it waits on an operator or its
    /// window), place the order, then reprice it every interval until it ends.
    func work(_ id: String) async {
        // The contract's tick is read while risk checks the intent, not after: one round trip
        // off the path from intent to order.
        let intent = records.withLock { $0[id]?.intent }
        let first = intent?.legs.first?.instrument
        async let tick: Int64? = if let first { await tickMicros(first) } else { nil }
        // A held contract is followed already; an entry's quote and theo arrive meanwhile.
        let feeds = follow(Self.contracts(of: intent))
        // A bracket's child inherits its entry's approval: it can only close what the entry opens.
        let isChild = records.withLock { !($0[id]?.parentIntentID.isEmpty ?? true) }
        let approved = isChild ? true : await clearRisk(id)
        _ = await tick
        await feeds.value
        guard approved else { return }
        guard await place(id) else { return }
        if let intent, intent.hasBracket, !intent.bracket.afterFill, claimChildren(id) {
            await placeBracket(of: id, fillMicros: nil, quantity: intent.quantity)
        }
        // From when the place was sent, not when this task got back to it (on a busy machine,
        // later): the order has been at the broker since then.
        var placedAt = records.withLock { $0[id]?.placedNs } ?? bus.clock.now()
        var nextReprice = placedAt + policy.reprice.nanoseconds
        let timeout = intent.flatMap { $0.hasTimeout && $0.timeout.seconds > 0 ? $0.timeout : nil }
        while !Task.isCancelled {
            let timeoutAt = timeout.map { placedAt + Int64($0.seconds) * 1_000_000_000 } ?? Int64.max
            let wake = min(nextReprice, timeoutAt)
            do { try await bus.clock.sleep(for: .nanoseconds(max(0, wake - bus.clock.now()))) } catch { return }
            guard let rec = records.withLock({ $0[id] }), !rec.isDone else { return }
            if let timeout, bus.clock.now() >= timeoutAt, (rec.progress?.filled ?? 0) == 0 {
                guard await timedOut(id, timeout) else { return }
                placedAt = records.withLock { $0[id]?.placedNs } ?? bus.clock.now()
                nextReprice = placedAt + policy.reprice.nanoseconds
                continue
            }
            if bus.clock.now() >= nextReprice {
                nextReprice += policy.reprice.nanoseconds
                await step(rec)
            }
        }
    }

    /// An attempt with nothing filled ran out of time: cancel it and, when it ended with nothing
    /// filled, place the next attempt after the wait (true), or end the intent saying why (false).
    /// A fill that raced the cancel keeps the intent as it is: working, or done with what filled.
    func timedOut(_ id: String, _ t: Volta_V1_EntryTimeout) async -> Bool {
        let attempt = records.withLock { r -> Int in
            r[id]?.retrying = true
            return r[id]?.attempt ?? 0
        }
        logger.notice("entry timed out; cancelling", metadata: ["intent": "\(id)", "attempt": "\(attempt)", "after_s": "\(t.seconds)"])
        _ = await sendCancel(id, reason: "no fill within \(t.seconds) s (attempt \(attempt + 1))")
        let deadline = bus.clock.now() + 30_000_000_000
        while records.withLock({ $0[id]?.progress?.state.isTerminal == false }), bus.clock.now() < deadline {
            do { try await bus.clock.sleep(for: .milliseconds(100)) } catch { return false }
        }
        let (filled, ended) = records.withLock { r -> (Int64, Bool) in
            (r[id]?.progress?.filled ?? 0, r[id]?.progress?.state.isTerminal ?? true)
        }
        guard filled == 0, ended, !records.withLock({ $0[id]?.cancelRequested ?? true }) else {
            update(id) { r in
                r.retrying = false
                if r.progress?.state.isTerminal == true { r.stage = .stageDone }
            }
            return !(records.withLock { $0[id]?.isDone ?? true })
        }
        guard attempt < Int(t.retries) else {
            update(id) { r in
                r.retrying = false
                r.stage = .stageDone
                r.reason = "no fill within \(t.seconds) s in \(attempt + 1) attempt(s): gave up"
            }
            logger.warning("entry gave up", metadata: ["intent": "\(id)", "attempts": "\(attempt + 1)"])
            return false
        }
        do { try await bus.clock.sleep(for: .seconds(Int(t.retryAfterSeconds))) } catch { return false }
        update(id) { r in
            r.attempt += 1
            r.retrying = false
            r.progress = nil
            r.reprices = 0
            r.exhausted = false
            r.limitMicros = 0
            r.reason = "retrying (attempt \(r.attempt + 1))"
        }
        return await place(id)
    }

    /// True once risk approves; false when it rejects (published) or the intent ended.
    func clearRisk(_ id: String) async -> Bool {
        while !Task.isCancelled {
            guard let rec = records.withLock({ $0[id] }), let intent = rec.intent, !rec.isDone, !rec.cancelRequested else { return false }
            if rec.progress != nil { return true } // adopted: risk approved it before the restart
            if endedOnExpiry(id, intent) { return false }
            var check = Volta_V1_RiskRequest()
            check.check = intent
            do {
                let d = try await bus.request(service: Topics.Service.risk, check, as: Volta_V1_RiskReply.self,
                                              timeout: .seconds(1), retries: 2).decision
                switch d.verdict {
                case .riskApproved:
                    update(id) { $0.riskReason = ""; $0.reason = "" }
                    return true
                case .riskRejected:
                    update(id) { r in
                        r.stage = .stageRiskRejected
                        r.riskReason = d.reasonCode
                        r.reason = d.detail
                    }
                    logger.notice("risk rejected", metadata: ["intent": "\(id)", "reason": "\(d.reasonCode)"])
                    return false
                default:
                    update(id) { $0.reason = d.detail }
                }
            } catch {
                update(id) { $0.reason = "risk unavailable: \(error)" }
            }
            do { try await bus.clock.sleep(for: policy.riskRetry) } catch { return false }
        }
        return false
    }

    /// Places the order once a usable price exists. A retry names the same order id, so a
    /// timeout that hid a successful place cannot make a second order.
    ///
    /// Only the broker's own refusal (`BAD_REQUEST`) ends the intent. A gateway without its
    /// broker answers `UNAVAILABLE`, and that, a timeout or a failed handler leave the intent
    /// pending, retried with backoff (0.5 s doubling to `policy.placeRetryMax`) until the gateway
    /// is back. A cancel that arrived while the place was in flight is sent as soon as it returns.
    func place(_ id: String) async -> Bool {
        var backoff = Duration.milliseconds(500)
        while !Task.isCancelled {
            guard let rec = records.withLock({ $0[id] }), !rec.isDone else { return false }
            if rec.progress != nil { return true }
            if rec.cancelRequested {
                update(id) { $0.stage = .stageDone; $0.reason = "cancelled before it was placed" }
                return false
            }
            if let intent = rec.intent, endedOnExpiry(id, intent) { return false }
            guard let order = await order(for: rec, reprice: 0) else {
                update(id) { $0.reason = "waiting for a usable quote and theo" }
                do { try await bus.clock.sleep(for: .milliseconds(200)) } catch { return false }
                continue
            }
            do {
                let sentNs = bus.clock.now()
                let status = try await gateway(retries: 3) { $0.place = order }.status
                placed.increment()
                // Read in the same critical section that records the order: a cancel that came
                // first found no order to cancel and left it to us; one that comes after sees it.
                var cancelWhilePlacing = false
                update(id) { r in
                    r.limitMicros = order.limitPriceMicros
                    r.placedNs = sentNs
                    r.apply(status, quantity: order.quantity)
                    cancelWhilePlacing = r.cancelRequested
                }
                logger.info("order placed", metadata: ["intent": "\(id)", "limit": "\(order.limitPriceMicros)", "state": "\(status.state)"])
                if cancelWhilePlacing {
                    let reason = records.withLock { $0[id]?.reason } ?? "cancelled while it was placed"
                    _ = await sendCancel(id, reason: reason)
                    return false
                }
                return true
            } catch let error as BusError where error.isRefusal {
                guard case let .remote(_, _, message) = error else { return false }
                update(id) { r in
                    r.stage = .stageDone
                    r.progress = r.newProgress(quantity: order.quantity)
                    r.progress?.apply(status: .rejected, reason: message)
                    r.reason = "gateway refused the order: \(message)"
                }
                return false
            } catch {
                placeRetries.increment()
                update(id) { $0.reason = "gateway unavailable, retrying: \(error)" }
                logger.warning("place failed; retrying with the same order id", metadata: [
                    "intent": "\(id)", "error": "\(error)", "retry_in": "\(backoff)"])
                do { try await bus.clock.sleep(for: backoff) } catch { return false }
                backoff = min(backoff * 2, policy.placeRetryMax)
            }
        }
        return false
    }

    /// Ends an intent not yet at the broker whose contract's expiry close has passed: no quote
    /// will come for it, and an exit waiting on one would otherwise stay pending for ever after
    /// the option expired (a five-year backtest found one). A placed order ends with its option
    /// at the broker instead.
    func endedOnExpiry(_ id: String, _ intent: Volta_V1_OrderIntent) -> Bool {
        let now = bus.clock.now()
        guard let leg = intent.legs.first(where: { $0.instrument.hasOption && ExpiryCalendar.hasClosed($0.instrument.option.expiry, at: now) })
        else { return false }
        update(id) { r in
            r.stage = .stageDone
            r.reason = "\(leg.instrument.displayName) expired before the order was placed"
        }
        expiredBeforePlacing.increment()
        logger.warning("an intent's contract expired before it was placed: ended", metadata: [
            "intent": "\(id)", "contract": "\(leg.instrument.displayName)"])
        return true
    }

    /// One reprice interval: cancel an order whose intent's cancel condition holds (a stop exit
    /// whose underlying recovered), else step the limit toward the far side, else (reprices
    /// spent) apply the configured action once.
    func step(_ rec: ExecutionRecord) async {
        let id = rec.intentID
        guard let intent = rec.intent else { return }
        if intent.hasCancelIf, market.withLock({ $0.isMet(intent.cancelIf) }) {
            let c = intent.cancelIf
            _ = await cancel(id, reason: "\(c.reason.isEmpty ? "cancel condition met" : c.reason): \(c.underlying) \(c.above ? "above" : "below") \(c.level)")
            return
        }
        guard rec.isRepriced else { return }  // as given: only its cancel condition is watched
        if rec.reprices < policy.limit.maxReprices {
            update(id) { $0.reprices += 1 }
            guard let order = await order(for: rec, reprice: rec.reprices + 1), order.limitPriceMicros != rec.limitMicros else { return }
            await modify(id, order)
            return
        }
        if rec.exhausted && policy.afterMax != .marketable { return }
        update(id) { $0.exhausted = true }
        switch policy.afterMax {
        case .leave: return
        case .cancel: _ = await cancel(id, reason: "no fill after \(rec.reprices) reprices")
        case .marketable:
            // Re-pegged every interval: a market running away from a one-off marketable limit
            // would leave it behind, unfilled.
            guard var order = await order(for: rec, reprice: rec.reprices), let tick = await tickMicros(intent.legs[0].instrument),
                  let touch = market.withLock({ $0.touch(intent.legs[0].instrument) }) else { return }
            order.limitPriceMicros = policy.limit.marketable(sell: rec.isSell, bid: touch.bid, ask: touch.ask, tickMicros: tick)
            guard order.limitPriceMicros > 0, order.limitPriceMicros != rec.limitMicros else { return }
            await modify(id, order)
        }
    }

    func modify(_ id: String, _ order: Volta_V1_Order) async {
        do {
            let status = try await gateway { $0.modify = order }.status
            repriced.increment()
            update(id) { r in
                r.limitMicros = order.limitPriceMicros
                r.apply(status, quantity: order.quantity)
            }
        } catch {
            logger.warning("reprice failed", metadata: ["intent": "\(id)", "error": "\(error)"])
        }
    }

    /// Cancels an intent's order, or stops it before it is placed. True when the cancel was sent
    /// or the intent will be stopped: an intent still with risk or with its place in flight is
    /// marked, and `place` stops it or cancels its order the moment the place returns.
    func cancel(_ id: String, reason: String) async -> Bool {
        guard let rec = records.withLock({ r -> ExecutionRecord? in
            guard var rec = r[id], !rec.isDone else { return nil }
            rec.cancelRequested = true
            rec.reason = reason
            r[id] = rec
            return rec
        }) else { return false }
        guard rec.progress != nil else { return true }
        return await sendCancel(id, reason: reason)
    }

    /// The cancel of a placed order, sent to the gateway. A failure is counted and logged.
    func sendCancel(_ id: String, reason: String) async -> Bool {
        guard let orderID = records.withLock({ $0[id]?.orderID }) else { return false }
        do {
            let status = try await gateway { $0.cancelOrderID = orderID }.status
            update(id) { r in
                r.apply(status, quantity: r.progress?.quantity ?? status.filledQuantity + status.remainingQuantity)
                r.reason = reason
            }
            logger.notice("order cancelled", metadata: ["intent": "\(id)", "reason": "\(reason)"])
            return true
        } catch {
            cancelFailures.increment()
            logger.error("cancel failed", metadata: ["intent": "\(id)", "order": "\(orderID)", "error": "\(error)"])
            return false
        }
    }

    /// Every working order: Volta's, and any other the gateway reports open (an emergency stop
    /// leaves nothing working, whoever placed it).
    func cancelAll(reason: String) async -> Int {
        let ids = records.withLock { $0.values.filter { !$0.isDone }.map(\.intentID).sorted() }
        var count = 0
        for id in ids where await cancel(id, reason: reason) { count += 1 }
        let open: [Volta_V1_OrderStatus]
        do {
            open = try await gateway(retries: 1, { $0.accountSnapshot = true }).account.openOrders
        } catch {
            cancelFailures.increment()
            logger.error("cancel-all could not list the broker's open orders; only Volta's were cancelled",
                         metadata: ["error": "\(error)"])
            return count
        }
        for s in open where ExecutionRecord.intentID(ofOrder: s.orderID) == nil {
            do {
                _ = try await gateway { $0.cancelOrderID = s.orderID }
                count += 1
            } catch {
                cancelFailures.increment()
                logger.error("cancel-all could not cancel an order placed outside Volta", metadata: ["order": "\(s.orderID)", "error": "\(error)"])
            }
        }
        return count
    }

    /// One request to the gateway. Retries resend the same request id, so the gateway's reply
    /// cache and the order id keep a retried place, modify or cancel from acting twice.
    func gateway(timeout: Duration = .seconds(2), retries: Int = 2,
                 _ build: (inout Volta_V1_GatewayRequest) -> Void) async throws -> Volta_V1_GatewayReply {
        var request = Volta_V1_GatewayRequest()
        build(&request)
        return try await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self,
                                     timeout: timeout, retries: retries)
    }

    func update(_ id: String, _ change: (inout ExecutionRecord) -> Void) {
        let changed = records.withLock { r -> Bool in
            guard var rec = r[id] else { return false }
            let before = rec.report(now: 0)
            change(&rec)
            r[id] = rec
            return rec.report(now: 0) != before
        }
        if changed { publish(id) }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Gatheral's raw SVI slice: total implied variance `w(k) = a + b(ρ(k − m) + √((k − m)² + σ²))`
/// as a function of log-moneyness k = ln(K/F), for one expiry.
public struct SVISlice: Sendable, Equatable {
    public var a, b, rho, m, sigma: Double
    /// Years to expiry.
    public var time: Double

    public init(a: Double, b: Double, rho: Double, m: Double, sigma: Double, time: Double) {
        (self.a, self.b, self.rho, self.m, self.sigma, self.time) = (a, b, rho, m, sigma, time)
    }

    public func totalVariance(_ k: Double) -> Double {
        let x = k - m
        return a + b * (rho * x + (x * x + sigma * sigma).squareRoot())
    }

    public func impliedVolatility(_ k: Double) -> Double { (max(totalVariance(k), 0) / time).squareRoot() }

    /// Gatheral and Jacquier's density condition g(k) ≥ 0 (no butterfly arbitrage):
    /// `g = (1 − k w′/(2w))² − (w′²/4)(1/w + 1/4) + w″/2`.
    public func butterflyDensity(_ k: Double) -> Double {
        let x = k - m
        let root = (x * x + sigma * sigma).squareRoot()
        let w = totalVariance(k)
        let w1 = b * (rho + x / root)
        let w2 = b * sigma * sigma / (root * root * root)
        let first = 1 - k * w1 / (2 * w)
        return first * first - w1 * w1 / 4 * (1 / w + 0.25) + w2 / 2
    }

    /// The least g(k) over the k where options trade, and where it is: negative means a butterfly
    /// of strikes around it has a negative price.
    public func butterflyCheck(range: ClosedRange<Double> = -3...3) -> (minimum: Double, at: Double) {
        var worst = (minimum: Double.infinity, at: 0.0)
        for i in 0...600 {
            let k = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 600
            let g = totalVariance(k) > 0 ? butterflyDensity(k) : -.infinity
            if g < worst.minimum { worst = (g, k) }
        }
        return worst
    }
}

/// Fits SVI slices to bid/ask quotes, checks a surface of them for arbitrage, and interpolates it
/// in total variance across expiries.
public enum SVI {
    /// One strike's market: bid and ask implied volatilities (either may be missing).
    public struct Quote: Sendable {
        public var logMoneyness: Double
        public var bid: Double?
        public var ask: Double?
        public init(logMoneyness: Double, bid: Double?, ask: Double?) {
            (self.logMoneyness, self.bid, self.ask) = (logMoneyness, bid, ask)
        }
    }

    /// Least squares in volatility, each quote weighted by its half-spread (a tight market counts
    /// more), with a one-sided quote's spread taken as 5% of its volatility. `start` (the last fit
    /// of the same expiry) makes a refit a few iterations.
    public static func fit(_ quotes: [Quote], time T: Double, start: SVISlice? = nil) throws -> SVISlice {
        try Validate.positive(T, "T")
        var fit = SVIFit(time: T)
        for q in quotes {
            switch (q.bid, q.ask) {
            case let (b?, a?) where b > 0 && a >= b: fit.add(k: q.logMoneyness, vol: 0.5 * (a + b), weight: 1 / max(0.5 * (a - b), 1e-4))
            case let (nil, a?) where a > 0: fit.add(k: q.logMoneyness, vol: a, weight: 1 / (0.05 * a))
            case let (b?, nil) where b > 0: fit.add(k: q.logMoneyness, vol: b, weight: 1 / (0.05 * b))
            default: continue
            }
        }
        guard fit.count >= 5 else {
            throw QuantError.invalid(field: "quotes", value: Double(fit.count), requirement: "at least 5 strikes with a bid or an ask")
        }
        return fit.solve(from: start).slice
    }
}

/// SVI slices across expiries: total variance is interpolated linearly in time at fixed
/// log-moneyness (so a calendar-arbitrage-free set of slices stays free of it), scaled in
/// proportion to time before the first slice, and at the last slice's volatility after it.
public struct VolatilitySurface: Sendable {
    public let slices: [SVISlice]

    public init(slices: [SVISlice]) throws {
        guard !slices.isEmpty else { throw QuantError.invalid(field: "slices", value: 0, requirement: "at least one expiry") }
        self.slices = slices.sorted { $0.time < $1.time }
    }

    public func totalVariance(k: Double, time T: Double) -> Double {
        guard let upper = slices.firstIndex(where: { $0.time >= T }) else {
            let last = slices[slices.count - 1]
            return last.totalVariance(k) * T / last.time
        }
        let right = slices[upper]
        if upper == 0 { return right.totalVariance(k) * T / right.time }
        let left = slices[upper - 1]
        let f = (T - left.time) / (right.time - left.time)
        return (1 - f) * left.totalVariance(k) + f * right.totalVariance(k)
    }

    public func impliedVolatility(k: Double, time T: Double) -> Double {
        (max(totalVariance(k: k, time: T), 0) / T).squareRoot()
    }

    public struct ArbitrageReport: Sendable, Equatable {
        /// Expiries whose slice has g(k) < 0 somewhere, with the worst k.
        public var butterfly: [(time: Double, k: Double)]
        /// Pairs of adjacent expiries whose total variance decreases at some k, with that k.
        public var calendar: [(early: Double, late: Double, k: Double)]
        public var isFree: Bool { butterfly.isEmpty && calendar.isEmpty }

        public static func == (l: Self, r: Self) -> Bool {
            l.butterfly.map(\.time) == r.butterfly.map(\.time) && l.calendar.map(\.early) == r.calendar.map(\.early)
        }
    }

    public func arbitrage(range: ClosedRange<Double> = -3...3) -> ArbitrageReport {
        var report = ArbitrageReport(butterfly: [], calendar: calendarArbitrage(range: range))
        for s in slices {
            let check = s.butterflyCheck(range: range)
            if check.minimum < -1e-10 { report.butterfly.append((s.time, check.at)) }
        }
        return report
    }

    /// Adjacent expiries whose total variance decreases at some k, with the first such k.
    public func calendarArbitrage(range: ClosedRange<Double> = -3...3) -> [(early: Double, late: Double, k: Double)] {
        var found: [(early: Double, late: Double, k: Double)] = []
        for (early, late) in zip(slices, slices.dropFirst()) {
            for i in 0...600 {
                let k = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 600
                if late.totalVariance(k) < early.totalVariance(k) - 1e-12 {
                    found.append((early.time, late.time, k))
                    break
                }
            }
        }
        return found
    }
}

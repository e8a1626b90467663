#if canImport(Glibc)
import Glibc
#endif

/// "Let's Be Rational" for a block of normalized problems at once: the same steps as
/// ``ImpliedVolatility/normalizedVolatility(beta:x:maxIterations:)``, item for item, but every
/// evaluation of b and b′ (at s_c, at the guess's second point, at each Householder step) is made
/// for the whole block through ``NormalizedBlack/callAndVega(x:s:bMax:b:vega:count:)``.
/// Those evaluations were most of an implied volatility's cost.
struct ImpliedVolatilityBlock {
    // Per problem, in the order added.
    private var items: [Int] = []
    private var beta: [Double] = []
    private var x: [Double] = []
    /// e^{x/2}, once per problem.
    private var bMax: [Double] = []
    // Scratch for one evaluation round, kept across blocks.
    private var at: [Int] = []
    private var xs: [Double] = [], ss: [Double] = [], ms: [Double] = [], bs: [Double] = [], vs: [Double] = []

    init(capacity: Int) {
        for k in [\Self.beta, \.x, \.bMax, \.xs, \.ss, \.ms, \.bs, \.vs] as [WritableKeyPath<Self, [Double]>] { self[keyPath: k].reserveCapacity(capacity) }
        items.reserveCapacity(capacity)
        at.reserveCapacity(capacity)
    }

    /// A problem: β and x = −|ln(F/K)| (the out-of-the-money call), for the caller's `item`.
    mutating func add(item: Int, beta: Double, x: Double) {
        items.append(item)
        self.beta.append(beta)
        self.x.append(x)
    }

    /// Solves the problems added since the last call: `solved(item, s)` with s = σ√T, or
    /// `failed(item, error)` where no volatility produces β.
    mutating func solve(_ solved: (Int, Double) -> Void, failed: (Int, QuantError) -> Void) {
        defer { items.removeAll(keepingCapacity: true); beta.removeAll(keepingCapacity: true); x.removeAll(keepingCapacity: true) }
        guard !items.isEmpty else { return }
        // e^{x/2} by libm, as the scalar solver has it: it decides which prices are above the
        // bound, and a few ulps must not decide differently. Then the checks; what fails leaves.
        at.removeAll(keepingCapacity: true)
        bMax = x.map { exp(0.5 * $0) }
        for k in items.indices {
            do {
                try ImpliedVolatility.check(beta: beta[k], bMax: bMax[k])
                at.append(k)
            } catch {
                failed(items[k], error as? QuantError ?? .noConvergence("\(error)"))
            }
        }
        let live = at
        let sc = live.map { (2 * abs(x[$0])).squareRoot() }
        evaluate(live, sc)
        let bc = bs
        evaluate(live, live.indices.map { j in
            ImpliedVolatility.secondPoint(beta: beta[live[j]], bc: bc[j], sc: sc[j], bMax: bMax[live[j]])
        })
        var steps = live.indices.map { j in
            let k = live[j]
            let guess = ImpliedVolatility.initialGuess(beta: beta[k], x: x[k], bMax: bMax[k], sc: sc[j], bc: bc[j],
                                                       s2: ss[j], b2: bs[j], v2: vs[j])
            return Householder(guess, beta: beta[k], maxIterations: ImpliedVolatility.iterations)
        }
        // Householder rounds: each evaluates b and b′ where the unfinished problems need them.
        var pending = Array(live.indices)
        var next: [Double] = []
        while !pending.isEmpty {
            var waiting: [Int] = []
            next.removeAll(keepingCapacity: true)
            for j in pending {
                guard let s = steps[j].next() else { continue }
                waiting.append(j)
                next.append(s)
            }
            evaluate(waiting.map { live[$0] }, next)
            for (r, j) in waiting.enumerated() { steps[j].step(b: bs[r], vega: vs[r], x: x[live[j]], bMax: bMax[live[j]]) }
            pending = waiting
        }
        for (j, k) in live.enumerated() { solved(items[k], steps[j].s) }
    }

    /// b and b′ into `bs` and `vs` for problems `ks` at `s` (and `ss` keeps `s`).
    private mutating func evaluate(_ ks: [Int], _ s: [Double]) {
        let n = ks.count
        xs.removeAll(keepingCapacity: true)
        ms.removeAll(keepingCapacity: true)
        for k in ks { xs.append(x[k]); ms.append(bMax[k]) }
        ss = s
        bs = [Double](repeating: 0, count: n)
        vs = bs
        guard n > 0 else { return }
        xs.withUnsafeBufferPointer { x in
            ss.withUnsafeBufferPointer { s in
                ms.withUnsafeBufferPointer { bMax in
                    bs.withUnsafeMutableBufferPointer { b in
                        vs.withUnsafeMutableBufferPointer { vega in
                            NormalizedBlack.callAndVega(x: x.baseAddress!, s: s.baseAddress!, bMax: bMax.baseAddress!,
                                                        b: b.baseAddress!, vega: vega.baseAddress!, count: n)
                        }
                    }
                }
            }
        }
    }
}

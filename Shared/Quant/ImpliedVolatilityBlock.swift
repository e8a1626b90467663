#if canImport(Glibc)
import Glibc
#endif

/// "Let's Be Rational" for a block of normalized problems at once: the same steps as
/// ``ImpliedVolatility/normalizedVolatility(beta:x:maxIterations:)``, item for item, but every
/// evaluation of b and b′ (at s_c, at the guess's second point, at each Householder step) is made
/// for the whole block through ``NormalizedBlack/callAndVega(x:s:bMax:b:vega:count:)``.
/// Those evaluations were most of an implied volatility's cost.
///
/// Columns in buffers allocated once per batch, not arrays: copying and reallocating arrays
/// between the rounds had cost as much as the vector math.
final class ImpliedVolatilityBlock {
    let capacity: Int
    private var count = 0
    // Per problem, in the order added.
    private let items: UnsafeMutablePointer<Int>
    private let beta: UnsafeMutablePointer<Double>, x: UnsafeMutablePointer<Double>, bMax: UnsafeMutablePointer<Double>
    // Per problem that passed the checks (`live` names it): b at s_c.
    private let live: UnsafeMutablePointer<Int>
    private let sc: UnsafeMutablePointer<Double>, bc: UnsafeMutablePointer<Double>
    // One evaluation round: which live problem each lane is, and x, s, e^{x/2}, b, b′.
    private let lane: UnsafeMutablePointer<Int>
    private let ex: UnsafeMutablePointer<Double>, es: UnsafeMutablePointer<Double>, em: UnsafeMutablePointer<Double>
    private let eb: UnsafeMutablePointer<Double>, ev: UnsafeMutablePointer<Double>
    private var steps: [Householder] = []

    init(capacity: Int) {
        self.capacity = capacity
        func doubles() -> UnsafeMutablePointer<Double> { .allocate(capacity: capacity) }
        (items, live, lane) = (.allocate(capacity: capacity), .allocate(capacity: capacity), .allocate(capacity: capacity))
        (beta, x, bMax, sc, bc) = (doubles(), doubles(), doubles(), doubles(), doubles())
        (ex, es, em, eb, ev) = (doubles(), doubles(), doubles(), doubles(), doubles())
        steps.reserveCapacity(capacity)
    }

    deinit {
        for p in [items, live, lane] { p.deallocate() }
        for p in [beta, x, bMax, sc, bc, ex, es, em, eb, ev] { p.deallocate() }
    }

    /// A problem: β and x = −|ln(F/K)| (the out-of-the-money call), for the caller's `item`.
    func add(item: Int, beta: Double, x: Double) {
        precondition(count < capacity, "more problems than the block holds")
        (items[count], self.beta[count], self.x[count]) = (item, beta, x)
        count += 1
    }

    /// Solves the problems added since the last call: `solved(item, s)` with s = σ√T, or
    /// `failed(item, error)` where no volatility produces β.
    func solve(_ solved: (Int, Double) -> Void, failed: (Int, QuantError) -> Void) {
        defer { count = 0 }
        // e^{x/2} by vector math; where β is within a hair of it, by libm as the scalar solver
        // has it: that decides which prices are above the bound, and a few ulps must not decide
        // differently. Then the checks; what fails leaves the block.
        for k in 0..<count { bMax[k] = 0.5 * x[k] }
        VectorMath.exp(bMax, bMax, count)
        var m = 0
        for k in 0..<count {
            if beta[k] > bMax[k] * (1 - 1e-12) { bMax[k] = exp(0.5 * x[k]) }
            do {
                try ImpliedVolatility.check(beta: beta[k], bMax: bMax[k])
                live[m] = k
                m += 1
            } catch {
                failed(items[k], error as? QuantError ?? .noConvergence("\(error)"))
            }
        }
        guard m > 0 else { return }
        for j in 0..<m {
            let k = live[j]
            (ex[j], em[j]) = (x[k], bMax[k])
            sc[j] = (2 * abs(x[k])).squareRoot()
        }
        NormalizedBlack.callAtCentre(x: ex, bMax: em, b: bc, count: m)
        for j in 0..<m {
            es[j] = ImpliedVolatility.secondPoint(beta: beta[live[j]], bc: bc[j], sc: sc[j], bMax: em[j])
        }
        NormalizedBlack.callAndVega(x: ex, s: es, bMax: em, b: eb, vega: ev, count: m)
        steps.removeAll(keepingCapacity: true)
        for j in 0..<m {
            let k = live[j]
            let guess = ImpliedVolatility.initialGuess(beta: beta[k], x: x[k], bMax: bMax[k], sc: sc[j], bc: bc[j],
                                                       s2: es[j], b2: eb[j], v2: ev[j])
            steps.append(Householder(guess, beta: beta[k], maxIterations: ImpliedVolatility.iterations))
            lane[j] = j
        }
        // Householder rounds: each evaluates b and b′ where the unfinished problems need them.
        var pending = m
        while pending > 0 {
            var w = 0
            for p in 0..<pending {
                let j = lane[p]
                guard let s = steps[j].next() else { continue }
                let k = live[j]
                (lane[w], ex[w], es[w], em[w]) = (j, x[k], s, bMax[k])
                w += 1
            }
            NormalizedBlack.callAndVega(x: ex, s: es, bMax: em, b: eb, vega: ev, count: w)
            for q in 0..<w { steps[lane[q]].step(b: eb[q], vega: ev[q], x: ex[q], bMax: em[q]) }
            pending = w
        }
        for j in 0..<m { solved(items[live[j]], steps[j].s) }
    }
}

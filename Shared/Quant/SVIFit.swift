#if canImport(Glibc)
import Glibc
#endif

/// The least-squares fit behind ``SVI/fit(_:time:start:)``: Levenberg-Marquardt on the five raw
/// parameters with an analytic Jacobian, in flat buffers, because a pricer refits every expiry of
/// every chain as quotes move and a numerical Jacobian costs six passes over the strikes per step.
///
/// Unknowns are unconstrained: x = (a, ln b, atanh ρ, m, ln σ), so b, σ > 0 and |ρ| < 1 always.
/// Residuals are (vol(k) − quoted vol) × weight, plus one penalty on the least total variance
/// a + bσ√(1 − ρ²) when it is negative (a slice with negative variance prices nothing).
struct SVIFit {
    let time: Double
    private(set) var k: [Double] = []
    private(set) var vol: [Double] = []
    private(set) var weight: [Double] = []
    static let rhoScale = 1 - 1e-9
    static let penaltyWeight = 1e4

    init(time: Double) { self.time = time }

    var count: Int { k.count }

    mutating func add(k: Double, vol: Double, weight: Double) {
        self.k.append(k)
        self.vol.append(vol)
        self.weight.append(weight)
    }

    /// The quotes in groups of four, the last padded with weight-0 strikes (which add nothing:
    /// r = 0 and g = 0), so that ``evaluate(_:_:normal:)`` loads whole SIMD4s.
    struct Groups {
        let k: [SIMD4<Double>], vol: [SIMD4<Double>], weight: [SIMD4<Double>]

        init(_ fit: SVIFit) {
            func grouped(_ a: [Double]) -> [SIMD4<Double>] {
                stride(from: 0, to: a.count, by: 4).map { i in
                    var v = SIMD4<Double>.zero
                    for l in 0..<min(4, a.count - i) { v[l] = a[i + l] }
                    return v
                }
            }
            (k, vol, weight) = (grouped(fit.k), grouped(fit.vol), grouped(fit.weight))
        }
    }

    static func slice(_ x: SIMD8<Double>, time: Double) -> SVISlice {
        SVISlice(a: x[0], b: exp(x[1]), rho: tanh(x[2]) * rhoScale, m: x[3], sigma: exp(x[4]), time: time)
    }

    /// Half the lowest quoted variance, a mild skew, centred on the strike nearest the money.
    func startingPoint() -> SIMD8<Double> {
        var atm = 0, minVol = Double.infinity
        for i in k.indices {
            if abs(k[i]) < abs(k[atm]) { atm = i }
            minVol = min(minVol, vol[i])
        }
        return SIMD8(max(0.5 * minVol * minVol * time, 1e-6), log(0.1), atanh(-0.3), k[atm], log(0.1), 0, 0, 0)
    }

    static func unknowns(_ s: SVISlice) -> SIMD8<Double> {
        SIMD8(s.a, log(s.b), atanh(max(-0.999_999, min(0.999_999, s.rho / rhoScale))), s.m, log(s.sigma), 0, 0, 0)
    }

    /// JᵀJ by rows and Jᵀr: SIMD rows, so that adding a strike's gradient is five vector FMAs.
    struct NormalEquations {
        var rows = (SIMD8<Double>.zero, SIMD8<Double>.zero, SIMD8<Double>.zero, SIMD8<Double>.zero, SIMD8<Double>.zero)
        var jtr = SIMD8<Double>.zero

        @inline(__always)
        mutating func add(_ g: SIMD8<Double>, _ r: Double) {
            jtr += g * r
            rows.0 += g * g[0]; rows.1 += g * g[1]; rows.2 += g * g[2]; rows.3 += g * g[3]; rows.4 += g * g[4]
        }

        func element(_ i: Int, _ j: Int) -> Double {
            switch i {
            case 0: rows.0[j]
            case 1: rows.1[j]
            case 2: rows.2[j]
            case 3: rows.3[j]
            default: rows.4[j]
            }
        }
    }

    /// Σ r² at x; with `normal`, also the normal equations there.
    ///
    /// Four strikes at a time: each of the five gradient components is a SIMD4 across strikes, and
    /// JᵀJ's fifteen distinct entries are SIMD4 sums, reduced once at the end (a strike at a time,
    /// the rank-one update cost five 8-wide FMAs for 25 useful products).
    func evaluate(_ x: SIMD8<Double>, _ groups: Groups, normal: inout NormalEquations?) -> Double {
        typealias V = SIMD4<Double>
        let a = x[0], b = exp(x[1]), t = tanh(x[2]), rho = t * Self.rhoScale, m = x[3], sigma = exp(x[4])
        let dRho = (1 - t * t) * Self.rhoScale
        let wantsNormal = normal != nil
        var cost4 = V.zero
        var jtr = (V.zero, V.zero, V.zero, V.zero, V.zero)
        // JᵀJ's lower triangle by rows: (0,0), (1,0), (1,1), (2,0), … (4,4).
        var jtj = (V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero, V.zero)
        let sigma2 = sigma * sigma, twoT = 2 * time, inverseT = 1 / time
        for group in groups.k.indices {
            let k4 = groups.k[group], vol4 = groups.vol[group], weight4 = groups.weight[group]
            let d = k4 - m
            let root = (d * d + sigma2).squareRoot()
            let w = a + b * (rho * d + root)
            // ∂r/∂w = weight / (2 v T); then the chain rule through each unknown. A lane with w ≤ 0
            // (a trial slice with negative variance there) has v = 0 and adds no gradient; such
            // groups are rare and take lane by lane, so the common one has no per-lane select.
            var v = V.zero, dw = V.zero
            if w.min() > 0 {
                v = (w * inverseT).squareRoot()
                dw = weight4 / (twoT * v)
            } else {
                for l in 0..<4 where w[l] > 0 {
                    v[l] = (w[l] * inverseT).squareRoot()
                    dw[l] = weight4[l] / (twoT * v[l])
                }
            }
            let r = (v - vol4) * weight4
            cost4 += r * r
            guard wantsNormal else { continue }
            let bdw = b * dw
            let g0 = dw, g1 = bdw * (rho * d + root), g2 = bdw * d * dRho, g3 = bdw * (-rho - d / root), g4 = bdw * sigma2 / root
            jtr.0 += g0 * r; jtr.1 += g1 * r; jtr.2 += g2 * r; jtr.3 += g3 * r; jtr.4 += g4 * r
            jtj.0 += g0 * g0
            jtj.1 += g1 * g0; jtj.2 += g1 * g1
            jtj.3 += g2 * g0; jtj.4 += g2 * g1; jtj.5 += g2 * g2
            jtj.6 += g3 * g0; jtj.7 += g3 * g1; jtj.8 += g3 * g2; jtj.9 += g3 * g3
            jtj.10 += g4 * g0; jtj.11 += g4 * g1; jtj.12 += g4 * g2; jtj.13 += g4 * g3; jtj.14 += g4 * g4
        }
        var cost = cost4.sum()
        var equations = NormalEquations()
        if wantsNormal {
            // The lower triangle's sums mirrored into full rows, in registers: arrays here cost
            // three allocations per evaluation, and a pricer refits every expiry every bar.
            let (l0, l1, l2, l3, l4) = (jtj.0.sum(), jtj.1.sum(), jtj.2.sum(), jtj.3.sum(), jtj.4.sum())
            let (l5, l6, l7, l8, l9) = (jtj.5.sum(), jtj.6.sum(), jtj.7.sum(), jtj.8.sum(), jtj.9.sum())
            let (l10, l11, l12, l13, l14) = (jtj.10.sum(), jtj.11.sum(), jtj.12.sum(), jtj.13.sum(), jtj.14.sum())
            equations.rows = (SIMD8(l0, l1, l3, l6, l10, 0, 0, 0), SIMD8(l1, l2, l4, l7, l11, 0, 0, 0), SIMD8(l3, l4, l5, l8, l12, 0, 0, 0),
                              SIMD8(l6, l7, l8, l9, l13, 0, 0, 0), SIMD8(l10, l11, l12, l13, l14, 0, 0, 0))
            equations.jtr = SIMD8(jtr.0.sum(), jtr.1.sum(), jtr.2.sum(), jtr.3.sum(), jtr.4.sum(), 0, 0, 0)
        }
        // The penalty keeps the least variance of the slice non-negative.
        let shape = (1 - rho * rho).squareRoot()
        let floor = a + b * sigma * shape
        if floor < 0 {
            let r = -floor * Self.penaltyWeight
            cost += r * r
            let p = -Self.penaltyWeight
            equations.add(SIMD8<Double>(p, p * b * sigma * shape, p * b * sigma * (-rho / shape) * dRho, 0, p * b * sigma * shape, 0, 0, 0), r)
        }
        if wantsNormal { normal = equations }
        return cost
    }

    /// Levenberg-Marquardt with Marquardt's diagonal scaling. Stops when a step gains less than
    /// 1e-10 of the cost, or the weighted residuals are all below 1e-5 (an error of 1e-5 of a
    /// half-spread: nothing a quote can tell).
    func solve(from start: SVISlice?) -> (slice: SVISlice, iterations: Int) {
        var x = start.map(Self.unknowns) ?? startingPoint()
        var equations: NormalEquations? = NormalEquations()
        var none: NormalEquations?
        let groups = Groups(self)
        var cost = evaluate(x, groups, normal: &equations)
        let enough = 1e-10 * Double(count)
        var mu = 1e-3
        var steps = 0
        iterations: while steps < 500 && cost > enough {
            steps += 1
            for _ in 0..<30 {
                guard let step = Self.dampedStep(equations!, mu) else { mu *= 10; continue }
                let candidate = x + step
                let trial = evaluate(candidate, groups, normal: &none)
                if trial.isFinite && trial < cost {
                    let gain = cost - trial
                    x = candidate
                    mu = max(mu / 3, 1e-12)
                    if gain <= 1e-10 * trial { break iterations }
                    cost = evaluate(x, groups, normal: &equations)
                    continue iterations
                }
                mu *= 4
            }
            break
        }
        return (Self.slice(x, time: time), steps)
    }

    /// Solves (JᵀJ + μ·diag(JᵀJ)) δ = −Jᵀr by Cholesky; nil when it is not positive definite.
    static func dampedStep(_ normal: NormalEquations, _ mu: Double) -> SIMD8<Double>? {
        // The factor on the stack: a heap array here was an allocation per trial step.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 25) { l in
            l.initialize(repeating: 0)
            return choleskySolve(normal, mu, factor: l)
        }
    }

    private static func choleskySolve(_ normal: NormalEquations, _ mu: Double, factor l: UnsafeMutableBufferPointer<Double>) -> SIMD8<Double>? {
        let jtr = normal.jtr
        for i in 0..<5 {
            for j in 0...i {
                var sum = normal.element(i, j)
                if i == j { sum += mu * max(sum, 1e-12) }
                for p in 0..<j { sum -= l[i * 5 + p] * l[j * 5 + p] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * 5 + i] = sum.squareRoot()
                } else {
                    l[i * 5 + j] = sum / l[j * 5 + j]
                }
            }
        }
        var y = SIMD8<Double>.zero
        for i in 0..<5 {
            var sum = -jtr[i]
            for p in 0..<i { sum -= l[i * 5 + p] * y[p] }
            y[i] = sum / l[i * 5 + i]
        }
        var x = SIMD8<Double>.zero
        for i in stride(from: 4, through: 0, by: -1) {
            var sum = y[i]
            for p in (i + 1)..<5 { sum -= l[p * 5 + i] * x[p] }
            x[i] = sum / l[i * 5 + i]
        }
        return (0..<5).allSatisfy { x[$0].isFinite } ? x : nil
    }
}

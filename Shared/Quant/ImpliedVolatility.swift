#if canImport(Glibc)
import Glibc
#endif

/// Implied volatility for Black-76 and Black-Scholes-Merton prices, by Jäckel's "Let's Be
/// Rational" (Wilmott, January 2015): full double precision in two iterations for every input.
///
/// Everything happens in normalized terms: `x = ln(F/K)`, `s = σ√T`, `β = price/√(FK)`, out of the
/// money (an in-the-money price becomes its out-of-the-money twin by parity, since only the time
/// value carries σ) and as a call (a put at x is a call at −x). The price curve b(s) is cut into
/// four segments at s_l < s_c = √(2|x|) < s_h; a rational cubic of b ↦ s (or of a transform of b
/// that is nearly linear there) gives an initial guess good to a few digits, and two steps of
/// Householder's third-order method on an objective chosen per segment to be nearly linear finish
/// the job.
public enum ImpliedVolatility {
    /// Householder steps taken; two reach full precision.
    static let iterations = 2

    /// σ from a Black-Scholes-Merton price.
    public static func bsm(_ kind: OptionKind, price: Double, spot S: Double, strike K: Double, time T: Double,
                           rate r: Double, dividend q: Double) throws -> Double {
        try validateSpot(S, dividend: q)
        return try black76(kind, price: price, forward: S * exp((r - q) * T), strike: K, time: T, rate: r)
    }

    /// What a BSM price adds to a Black-76 one, checked before its forward is formed.
    static func validateSpot(_ S: Double, dividend q: Double) throws {
        try Validate.positive(S, "S")
        try Validate.finite(q, "q")
    }

    /// σ from a Black-76 price on forward `F`.
    /// - Throws: ``QuantError/priceBelowIntrinsic(price:intrinsic:)`` or
    ///   ``QuantError/priceAboveBound(price:bound:)`` for prices no volatility produces.
    public static func black76(_ kind: OptionKind, price: Double, forward F: Double, strike K: Double, time T: Double,
                               rate r: Double) throws -> Double {
        try validate(price: price, forward: F, strike: K, time: T, rate: r)
        return try solve(sign: kind.sign, price: price, forward: F, strike: K, logMoneyness: log(F / K), time: T, discount: exp(-r * T))
    }

    static func validate(price: Double, forward F: Double, strike K: Double, time T: Double, rate r: Double) throws {
        try Validate.positive(F, "S (forward)")
        try Validate.positive(K, "K")
        try Validate.positive(T, "T")
        try Validate.finite(r, "r")
        try Validate.finite(price, "price")
    }

    /// σ from checked inputs, with x = ln(F/K) and the discount factor given: the batch computes
    /// those for a block at a time.
    static func solve(sign w: Double, price: Double, forward F: Double, strike K: Double, logMoneyness x: Double,
                      time T: Double, discount: Double) throws -> Double {
        let (beta, otm) = try normalized(sign: w, price: price, forward: F, strike: K, logMoneyness: x, discount: discount)
        return try normalizedVolatility(beta: beta, x: otm).s / T.squareRoot()
    }

    /// The problem in normalized terms: β and the out-of-the-money call's x = −|ln(F/K)|.
    /// - Throws: for a price below intrinsic or above the upper bound.
    static func normalized(sign w: Double, price: Double, forward F: Double, strike K: Double, logMoneyness x: Double,
                           discount: Double) throws -> (beta: Double, x: Double) {
        let p = price / discount
        let intrinsic = max(w * (F - K), 0)
        let bound = w > 0 ? F : K
        guard p > intrinsic else { throw QuantError.priceBelowIntrinsic(price: price, intrinsic: intrinsic * discount) }
        guard p < bound else { throw QuantError.priceAboveBound(price: price, bound: bound * discount) }
        let timeValue = w * x > 0 ? p - w * (F - K) : p
        let beta = timeValue / (F.squareRoot() * K.squareRoot())
        // The out-of-the-money twin as a call (a put at x is a call at −x): x ≤ 0.
        return (beta, -abs(x))
    }

    /// s = σ√T with b(x, s) = β, for an out-of-the-money call (x ≤ 0, 0 < β < e^{x/2}), and the
    /// number of Householder steps it took.
    static func normalizedVolatility(beta: Double, x: Double, maxIterations: Int = iterations) throws -> (s: Double, steps: Int) {
        let bMax = exp(0.5 * x)
        try check(beta: beta, bMax: bMax)
        var guess = initialGuess(beta: beta, x: x, bMax: bMax)
        let steps = refine(&guess, beta: beta, x: x, bMax: bMax, maxIterations: maxIterations)
        return (guess.s, steps)
    }

    /// A β that some volatility produces: positive, normal, below e^{x/2}.
    static func check(beta: Double, bMax: Double) throws {
        guard beta > 0, beta.isNormal else {
            throw QuantError.noConvergence("the time value (\(beta) normalized) is too small to carry a volatility")
        }
        guard beta < bMax else { throw QuantError.priceAboveBound(price: beta, bound: bMax) }
    }

    /// The objective whose root is the volatility, per segment: nearly linear in s there.
    enum Objective {
        /// `1/ln b − 1/ln β`, below s_l where b vanishes faster than any power.
        case lowerLog
        /// `b − β`, around the inflection point s_c.
        case plain
        /// `ln(b_max − β) − ln(b_max − b)`, where b approaches its bound.
        case upperLog
    }

    struct Guess {
        var s: Double
        var left: Double
        var right: Double
        var objective: Objective
    }

    static func initialGuess(beta: Double, x: Double, bMax: Double) -> Guess {
        let sc = (2 * abs(x)).squareRoot()
        let bc = NormalizedBlack.call(x: x, s: sc, bMax: bMax)
        let s2 = secondPoint(beta: beta, bc: bc, sc: sc, bMax: bMax)
        return initialGuess(beta: beta, x: x, bMax: bMax, sc: sc, bc: bc, s2: s2, b2: NormalizedBlack.call(x: x, s: s2, bMax: bMax), v2: nil)
    }

    /// Besides s_c, where the guess needs b: s_l when β is below b(s_c), s_h when above. The
    /// batch evaluates b at s_c, then here, for a whole block at a time.
    static func secondPoint(beta: Double, bc: Double, sc: Double, bMax: Double) -> Double {
        // At s_c = √(2|x|), h² + s²/4 = |x|: the vega is e^{x/2}/√(2π), no exponential needed.
        let vc = Normal.oneOverSqrtTwoPi * bMax
        if beta < bc { return sc - bc / vc }
        return vc > .leastNormalMagnitude ? sc + (bMax - bc) / vc : sc
    }

    /// The guess from b at s_c and at the second point s2 (with the vega there when the caller
    /// has it; computed if needed otherwise).
    static func initialGuess(beta: Double, x: Double, bMax: Double, sc: Double, bc: Double, s2: Double, b2: Double, v2: Double?) -> Guess {
        let vc = Normal.oneOverSqrtTwoPi * bMax
        if beta < bc {
            let (sl, bl) = (s2, b2)
            if beta < bl {
                let (f0, df, d2f) = LowerMap.valueAndDerivatives(x: x, s: sl)
                let cubic = RationalCubic(xl: 0, xr: bl, yl: 0, yr: f0, dl: 1, dr: df,
                                          secondDerivative: d2f, atLeft: false, preferShape: true)
                var f = cubic(beta)
                if !(f > 0) {  // round-off at extreme |x|: the quadratic through f(0) = 0, f′(0) = 1, f(b_l)
                    let t = beta / bl
                    f = (f0 * t + bl * (1 - t)) * t
                }
                return Guess(s: LowerMap.inverse(x: x, f: f), left: .leastNormalMagnitude, right: sl, objective: .lowerLog)
            }
            let vl = v2 ?? NormalizedBlack.vega(x: x, s: sl)
            let cubic = RationalCubic(xl: bl, xr: bc, yl: sl, yr: sc, dl: 1 / vl, dr: 1 / vc,
                                      secondDerivative: 0, atLeft: false, preferShape: false)
            return Guess(s: cubic(beta), left: sl, right: sc, objective: .plain)
        }
        let (sh, bh) = (s2, b2)
        if beta <= bh {
            let vh = v2 ?? NormalizedBlack.vega(x: x, s: sh)
            let cubic = RationalCubic(xl: bc, xr: bh, yl: sc, yr: sh, dl: 1 / vc, dr: 1 / vh,
                                      secondDerivative: 0, atLeft: true, preferShape: false)
            return Guess(s: cubic(beta), left: sc, right: sh, objective: .plain)
        }
        let (f0, df, d2f) = UpperMap.valueAndDerivatives(x: x, s: sh)
        var f = -Double.greatestFiniteMagnitude
        let limit = Double.greatestFiniteMagnitude.squareRoot()
        if d2f > -limit && d2f < limit {
            let cubic = RationalCubic(xl: bh, xr: bMax, yl: f0, yr: 0, dl: df, dr: -0.5,
                                      secondDerivative: d2f, atLeft: true, preferShape: true)
            f = cubic(beta)
        }
        if f <= 0 {  // the quadratic through f(b_h), f(b_max) = 0 and f′(b_max) = −1/2
            let h = bMax - bh, t = (beta - bh) / h
            f = (f0 * (1 - t) + 0.5 * h * t) * (1 - t)
        }
        return Guess(s: UpperMap.inverse(f), left: sh, right: .greatestFiniteMagnitude,
                     objective: beta > 0.5 * bMax ? .upperLog : .plain)
    }

    /// Householder(3) steps from the guess; the number taken.
    static func refine(_ guess: inout Guess, beta: Double, x: Double, bMax: Double, maxIterations: Int) -> Int {
        var h = Householder(guess, beta: beta, maxIterations: maxIterations)
        while let s = h.next() {
            h.step(b: NormalizedBlack.call(x: x, s: s, bMax: bMax), vega: NormalizedBlack.vega(x: x, s: s), x: x, bMax: bMax)
        }
        guess.s = h.s
        return h.steps
    }
}

/// Householder(3) steps, `s += ν·(1 + ην/2)/(1 + ν(η + χν/6))` with ν = −g/g′, η = g″/g′ and
/// χ = g‴/g′, kept inside the bracket (bisection if a step would leave it, or if it oscillates).
///
/// A state machine rather than a loop, so that the batch can evaluate b and b′ for a whole
/// block between steps: ``next()`` says where they are needed, ``step(b:vega:x:bMax:)`` moves.
struct Householder {
    private(set) var s: Double
    private var left: Double
    private var right: Double
    private let objective: ImpliedVolatility.Objective
    private let beta: Double
    /// Only the lower segment's objective needs ln β.
    private let logBeta: Double
    private let maxIterations: Int
    private var ds = -Double.greatestFiniteMagnitude
    private var previous = 0.0
    private var reversals = 0
    private(set) var steps = 0
    /// The bracket shrank to an ulp: nothing left to refine.
    private var bracketClosed = false

    init(_ guess: ImpliedVolatility.Guess, beta: Double, maxIterations: Int) {
        (s, left, right, objective) = (guess.s, guess.left, guess.right, guess.objective)
        self.beta = beta
        self.maxIterations = maxIterations
        logBeta = guess.objective == .lowerLog ? log(beta) : 0
    }

    /// The s at which the next step needs b and b′, or nil when converged or out of steps.
    mutating func next() -> Double? {
        guard !bracketClosed && steps < maxIterations && abs(ds) > Double.ulpOfOne * s else { return nil }
        if ds * previous < 0 { reversals += 1 }
        if steps > 0 && (reversals == 3 || !(s > left && s < right)) {
            s = 0.5 * (left + right)
            if right - left <= Double.ulpOfOne * s { bracketClosed = true; return nil }
            reversals = 0
            ds = 0
        }
        previous = ds
        return s
    }

    /// One step, given b and b′ at the s ``next()`` returned.
    mutating func step(b: Double, vega bp: Double, x: Double, bMax: Double) {
        if b > beta && s < right { right = s } else if b < beta && s > left { left = s }
        // b″/b′ and b‴/b′ of the normalized Black function in s.
        // One division: these only steer the step; b and b′ carry the digits.
        let inverseS = 1 / s
        let h = x * inverseS, hOverS = h * inverseS
        let halleyB = h * hOverS - 0.25 * s
        let hh3B = halleyB * halleyB - 3 * hOverS * hOverS - 0.25
        let newton, halley, hh3: Double
        switch objective {
        case .lowerLog where !(b > 0 && bp > 0), .upperLog where !(b < bMax && bp > Double.leastNormalMagnitude):
            // Under- or overflow: bisect for this step.
            newton = 0.5 * (left + right) - s
            halley = 0
            hh3 = 0
        case .lowerLog:
            let lnB = log(b), ratio = bp / b
            newton = (logBeta - lnB) * lnB / logBeta / ratio
            halley = halleyB - ratio * (1 + 2 / lnB)
            hh3 = hh3B + 2 * ratio * ratio * (1 + 3 / lnB * (1 + 1 / lnB)) - 3 * halleyB * ratio * (1 + 2 / lnB)
        case .upperLog:
            let gap = bMax - b
            let gp = bp / gap
            newton = -log((bMax - beta) / gap) / gp
            halley = halleyB + gp
            hh3 = hh3B + gp * (2 * gp + 3 * halleyB)
        case .plain:
            newton = (beta - b) / bp
            halley = halleyB
            hh3 = hh3B
        }
        ds = max(-0.5 * s, newton * (1 + 0.5 * halley * newton) / (1 + newton * (halley + hh3 * newton * (1.0 / 6))))
        s += ds
        steps += 1
    }
}

/// Below s_l: `f(b) = (2π/√27)·|x|·Φ(−|x|/(s√3))³`, which grows like b itself as b → 0, so that a
/// rational cubic in b interpolates it well; derivatives are with respect to b.
enum LowerMap {
    static func valueAndDerivatives(x: Double, s: Double) -> (f: Double, df: Double, d2f: Double) {
        let ax = abs(x)
        let z = ax / (s * 3.0.squareRoot())
        let y = z * z, s2 = s * s
        let phi = Normal.cdf(-z), density = Normal.pdf(z)
        let d2f = Double.pi / 6 * y / (s2 * s) * phi
            * (8 * 3.0.squareRoot() * s * ax + (3 * s2 * (s2 - 8) - 8 * x * x) * phi / density) * exp(2 * y + 0.25 * s2)
        let df = 2 * Double.pi * y * phi * phi * exp(y + 0.125 * s2)
        let f = 2 * Double.pi / 27.0.squareRoot() * ax * phi * phi * phi
        return (f, df, d2f)
    }

    static func inverse(x: Double, f: Double) -> Double {
        abs(x / (3.0.squareRoot() * Normal.inverseCDF(cbrt(f / (2 * Double.pi / 27.0.squareRoot() * abs(x))))))
    }
}

/// Above s_h: `f(b) = Φ(−s/2)`, which falls linearly to 0 as b → b_max.
enum UpperMap {
    static func valueAndDerivatives(x: Double, s: Double) -> (f: Double, df: Double, d2f: Double) {
        let f = Normal.cdf(-0.5 * s)
        guard x != 0 else { return (f, -0.5, 0) }
        let w = (x / s) * (x / s)
        return (f, -0.5 * exp(0.5 * w), (0.5 * Double.pi).squareRoot() * exp(w + 0.125 * s * s) * w / s)
    }

    static func inverse(_ f: Double) -> Double { -2 * Normal.inverseCDF(f) }
}

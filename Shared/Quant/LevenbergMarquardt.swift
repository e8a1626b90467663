/// Levenberg-Marquardt least squares for the handful of parameters of a smile model (Heston's
/// five, SVI's five): minimizes Σ rᵢ(x)², with a forward-difference Jacobian and Marquardt's
/// diagonal scaling. Small dense normal equations, solved by Gaussian elimination with pivoting.
public struct LevenbergMarquardt {
    public var maxIterations = 200
    /// Stop when a step changes the cost by less than this fraction.
    public var tolerance = 1e-14

    public init(maxIterations: Int = 200, tolerance: Double = 1e-14) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var cost: Double
        public var iterations: Int
    }

    public func minimize(from start: [Double], residuals: ([Double]) throws -> [Double]) throws -> Result {
        var x = start
        var r = try residuals(x)
        var cost = Self.sumOfSquares(r)
        var mu = 1e-3
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            let jacobian = try jacobianOf(residuals, at: x, r: r)
            let n = x.count
            var jtj = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            var jtr = [Double](repeating: 0, count: n)
            for i in r.indices {
                for a in 0..<n {
                    jtr[a] += jacobian[i][a] * r[i]
                    for b in 0..<n { jtj[a][b] += jacobian[i][a] * jacobian[i][b] }
                }
            }
            var improved = false
            for _ in 0..<30 {
                var system = jtj
                for a in 0..<n { system[a][a] += mu * max(jtj[a][a], 1e-12) }
                guard let step = Self.solve(system, jtr.map { -$0 }) else { mu *= 10; continue }
                let candidate = zip(x, step).map { $0 + $1 }
                let trial = (try? residuals(candidate)) ?? []
                let trialCost = trial.isEmpty ? .infinity : Self.sumOfSquares(trial)
                if trialCost.isFinite && trialCost < cost {
                    let change = cost - trialCost
                    x = candidate
                    r = trial
                    cost = trialCost
                    mu = max(mu / 3, 1e-12)
                    improved = true
                    if change <= tolerance * max(cost, 1e-300) { return Result(x: x, cost: cost, iterations: iteration) }
                    break
                }
                mu *= 4
            }
            if !improved { break }
        }
        return Result(x: x, cost: cost, iterations: iteration)
    }

    func jacobianOf(_ f: ([Double]) throws -> [Double], at x: [Double], r: [Double]) throws -> [[Double]] {
        var columns: [[Double]] = []
        for a in x.indices {
            var moved = x
            let h = 1e-7 * max(abs(x[a]), 1)
            moved[a] += h
            let shifted = try f(moved)
            columns.append(zip(shifted, r).map { ($0 - $1) / h })
        }
        return r.indices.map { i in x.indices.map { columns[$0][i] } }
    }

    static func sumOfSquares(_ r: [Double]) -> Double { r.reduce(0) { $0 + $1 * $1 } }

    /// Solves A·x = b; nil when A is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, v = b
        let n = b.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }), abs(m[pivot][column]) > 1e-300 else { return nil }
            m.swapAt(column, pivot)
            v.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = m[row][column] / m[column][column]
                for k in column..<n { m[row][k] -= factor * m[column][k] }
                v[row] -= factor * v[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = v[row]
            for k in (row + 1)..<n { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}

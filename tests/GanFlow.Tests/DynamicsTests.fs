module GanFlow.Tests.DynamicsTests

open Expecto
open FsCheck.FSharp
open GanFlow.Core.Dynamics
open GanFlow.Tests.Samples

/// A value on a 0.01 grid in [−4, 4].
let private coordinate = Gen.choose (-400, 400) |> Gen.map (fun i -> float i / 100.0)

/// A state of the two-Gaussian game: true means, generator means, ordered endpoints.
let private state =
    gen {
        let! t = Gen.arrayOfLength 2 coordinate
        let! m = Gen.arrayOfLength 2 coordinate
        let! e = Gen.arrayOfLength 4 coordinate
        return t, m, Array.sort e
    }

/// Generator means and true means only.
let private meansPair = Gen.zip (Gen.arrayOfLength 2 coordinate) (Gen.arrayOfLength 2 coordinate)

/// A mean anywhere from 0 to ±10¹²: ±10^(u/10) (u = 0 … 120) or 0, plus a value of `coordinate`, so that means far
/// out are sometimes near one another and sometimes thousands of standard deviations apart.
let private wideMean =
    gen {
        let! far = Gen.elements [ true; false ]
        let! exponent = Gen.choose (0, 120)
        let! negative = Gen.elements [ true; false ]
        let! offset = coordinate
        let centre = if far then (if negative then -1.0 else 1.0) * 10.0 ** (float exponent / 10.0) else 0.0
        return centre + offset
    }

/// Two true and two generator means, every pair at least 40 apart: four of ±10^(u/10) (u = 25 … 120, at least 316,
/// distinct, so 82 apart or more) plus a value of `coordinate`, the first of them near 0 half of the time.
let private separatedMeans =
    gen {
        let! picks = Gen.shuffle [| for u in 25 .. 120 do for s in [ -1.0; 1.0 ] -> s * 10.0 ** (float u / 10.0) |]
        let! offsets = Gen.arrayOfLength 4 coordinate
        let! nearZero = Gen.elements [ true; false ]
        let values = Array.init 4 (fun i -> (if i = 0 && nearZero then 0.0 else picks[i]) + offsets[i])
        return values[0..1], values[2..3]
    }

/// True means, generator means and ordered endpoints spread among them (two per mean, within ±4 of it).
let private wideState =
    gen {
        let! t = Gen.arrayOfLength 2 wideMean
        let! m = Gen.arrayOfLength 2 wideMean
        let! around = Gen.arrayOfLength 4 (Gen.elements [ 0; 1; 2; 3 ])
        let! offsets = Gen.arrayOfLength 4 coordinate
        let all = Array.append t m
        return t, m, Array.init 4 (fun j -> all[around[j]] + offsets[j]) |> Array.sort
    }

/// Simpson's rule with `intervals` (even) sub-intervals.
let private simpson (f: float -> float) (a: float) (b: float) (intervals: int) =
    let h = (b - a) / float intervals
    let inner = Array.init (intervals - 1) (fun i -> (if i % 2 = 0 then 4.0 else 2.0) * f (a + h * float (i + 1))) |> Array.sum
    (f a + f b + inner) * h / 3.0

/// L by its definition, E_{x∼p*}[D] + E_{x∼p̂}[1 − D], integrated with Simpson's rule: independent of Φ.
let private lossByQuadrature (t: float[]) (m: float[]) (e: float[]) =
    let inside x = if (x >= e[0] && x <= e[1]) || (x >= e[2] && x <= e[3]) then 1.0 else 0.0
    // The integrand jumps at the endpoints; integrating piecewise between them keeps the rule's accuracy.
    let cuts = Array.append [| -15.0 |] (Array.append e [| 15.0 |]) |> Array.sort
    cuts
    |> Array.pairwise
    |> Array.sumBy (fun (a, b) ->
        if b <= a then 0.0
        else
            let mid = 0.5 * (a + b)
            let d = inside mid
            simpson (fun x -> d * TwoGaussianGame.density t x + (1.0 - d) * TwoGaussianGame.density m x) a b 4000)

/// Central finite difference of f along coordinate i of x.
let private partial (f: float[] -> float) (x: float[]) (i: int) =
    let h = 1e-5
    let up = Array.copy x
    let down = Array.copy x
    up[i] <- x[i] + h
    down[i] <- x[i] - h
    (f up - f down) / (2.0 * h)

let private tolerances = OutcomeTolerances.Default

[<Tests>]
let tests =
    testList "seed 002 dynamics" [
        testList "closed-form game" [
            testProperty "L in closed form equals its definition integrated numerically" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) ->
                    abs (TwoGaussianGame.loss t m e - lossByQuadrature t m e) < 1e-8))
            testProperty "dL/dmu equals the finite difference of L" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) ->
                    let g, _ = TwoGaussianGame.gradient t m e
                    Array.forall (fun i -> abs (g[i] - partial (fun mm -> TwoGaussianGame.loss t mm e) m i) < 1e-8) [| 0; 1 |]))
            testProperty "dL/dl and dL/dr equal the finite differences of L" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) ->
                    // Endpoints a little apart, so that the finite difference does not cross the ordering.
                    let e = e |> Array.mapi (fun j v -> v + 0.1 * float j)
                    let _, g = TwoGaussianGame.gradient t m e
                    Array.forall (fun j -> abs (g[j] - partial (fun ee -> TwoGaussianGame.loss t m ee) e j) < 1e-8) [| 0 .. 3 |]))
            test "the notes' example state: L, its gradients and the identity dL/dr = p*(r) - p(r)" {
                let t, m, e = [| -0.5; 0.5 |], [| 0.3; 0.9 |], [| -1.0; 0.0; 0.5; 2.0 |]
                let gm, ge = TwoGaussianGame.gradient t m e
                Expect.floatClose Accuracy.veryHigh ge[1] (TwoGaussianGame.density t 0.0 - TwoGaussianGame.density m 0.0) "dL/dr1"
                Expect.floatClose Accuracy.veryHigh ge[2] (TwoGaussianGame.density m 0.5 - TwoGaussianGame.density t 0.5) "dL/dl2"
                let expected0 = 0.5 * (TwoGaussianGame.phi (0.0 - 0.3) - TwoGaussianGame.phi (-1.0 - 0.3) + TwoGaussianGame.phi (2.0 - 0.3) - TwoGaussianGame.phi (0.5 - 0.3))
                Expect.floatClose Accuracy.veryHigh gm[0] expected0 "dL/dmu1 by the notes' formula"
            }
            testProperty "at mu-hat = mu* the discriminator's gradients vanish for any intervals" (
                Prop.forAll (Arb.fromGen state) (fun (t, _, e) ->
                    let _, g = TwoGaussianGame.gradient t t e
                    Array.forall (fun v -> v = 0.0) g && TwoGaussianGame.loss t t e = 1.0))
            testProperty "the loss does not depend on the order of the generator's means" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) -> close 1e-14 (TwoGaussianGame.loss t m e) (TwoGaussianGame.loss t (Array.rev m) e)))
        ]
        testList "optimal discriminator" [
            testProperty "p* - p changes sign at every crossing, at most 3 times, and nowhere else" (
                Prop.forAll (Arb.fromGen meansPair) (fun (t, m) ->
                    let f x = TwoGaussianGame.density t x - TwoGaussianGame.density m x
                    let roots = OptimalDiscriminator.crossings t m
                    let signChanges =
                        Array.init 4001 (fun i -> -10.0 + 0.005 * float i)
                        |> Array.map f
                        |> Array.filter (fun v -> abs v > 1e-12)
                        |> Array.pairwise
                        |> Array.filter (fun (a, b) -> sign a <> sign b)
                        |> Array.length
                    roots.Length <= 3
                    && roots |> Array.forall (fun r -> abs (f r) < 1e-12 || sign (f (r - 1e-6)) <> sign (f (r + 1e-6)))
                    && signChanges <= roots.Length))
            testProperty "no grid of interval endpoints does better than the optimal discriminator" (
                Prop.forAll (Arb.fromGen meansPair) (fun (t, m) ->
                    let best = OptimalDiscriminator.value t m
                    let grid = Array.init 25 (fun i -> -7.0 + 0.5 * float i) |> Array.append [| -infinity; infinity |] |> Array.sort
                    let mutable beaten = false
                    for a in 0 .. grid.Length - 1 do
                        for b in a .. grid.Length - 1 do
                            for c in b .. grid.Length - 1 do
                                for d in c .. grid.Length - 1 do
                                    if TwoGaussianGame.loss t m [| grid[a]; grid[b]; grid[c]; grid[d] |] > best + 1e-12 then beaten <- true
                    not beaten))
            testProperty "random ordered endpoints never beat it, and it equals 1 + TV" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) ->
                    let best = OptimalDiscriminator.value t m
                    let tv = 0.5 * trapezoid (fun x -> abs (TwoGaussianGame.density t x - TwoGaussianGame.density m x)) -15.0 15.0 30001
                    TwoGaussianGame.loss t m e <= best + 1e-12 && abs (best - (1.0 + tv)) < 1e-6))
            testProperty "its endpoints are ordered and cover exactly where p* > p" (
                Prop.forAll (Arb.fromGen meansPair) (fun (t, m) ->
                    let e = OptimalDiscriminator.endpoints t m
                    let inside x = (x > e[0] && x < e[1]) || (x > e[2] && x < e[3])
                    OrderedEndpoints.isOrdered e
                    && Array.init 400 (fun i -> -10.0 + 0.05 * float i + 0.0123)
                       |> Array.forall (fun x ->
                           let f = TwoGaussianGame.density t x - TwoGaussianGame.density m x
                           abs f < 1e-12 || (f > 0.0) = inside x)))
            test "a crossing far out in a tail is found, and an optimal run through it still converges" {
                // Rates −0.5 (+), 0.49905 (−), 0.49956 (−), 0.5 (+): the +0.5 term wins again only near x ≈ 1,052.
                let t, m = [| -0.5; 0.5 |], [| 0.4990495162; 0.4995635345 |]
                let roots = OptimalDiscriminator.crossings t m
                Expect.equal roots.Length 2 "two crossings"
                Expect.isGreaterThan roots[1] 1_000.0 "the far one"
                let _, outcome = Outcome.ofRun tolerances DynamicsRule.Optimal t 0.1 0.1 5_000 [| 0.9650439413; 0.9654445962 |] [||]
                Expect.equal outcome Outcome.Converged "endpoints far out are no divergence"
            }
            testProperty "at mu-hat = mu* the optimal discriminator gives the generator a zero gradient" (
                Prop.forAll (Arb.fromGen (Gen.arrayOfLength 2 coordinate)) (fun t ->
                    let _, g = OptimalDynamics.discriminatorAndGradient t (Array.rev t)
                    let gSame, _ = TwoGaussianGame.gradient t t (OptimalDiscriminator.endpoints t t)
                    Array.forall ((=) 0.0) g && Array.forall ((=) 0.0) gSame))
        ]
        testList "means far apart (|mu| up to 1e12)" [
            testProperty "TV lies in [0, 1], JS in [0, ln 2], the loss at V* equals 2 JS - log 4, and no discriminator beats 1 + TV" (
                Prop.forAll (Arb.fromGen wideState) (fun (t, m, e) ->
                    let d = Trajectory.distances t m
                    d.Tv >= -1e-12 && d.Tv <= 1.0 + 1e-12
                    && d.Js >= -1e-12 && d.Js <= log 2.0 + 1e-12
                    && abs (d.GanLossAtOptimum - (2.0 * d.Js - log 4.0)) < 1e-9
                    && d.W1 >= 0.0
                    && TwoGaussianGame.loss t m e <= 1.0 + d.Tv + 1e-12))
            testProperty "means 40 standard deviations apart: TV 1, JS ln 2, the loss at V* 0, W1 the sorted means' mean distance" (
                // Every pair apart, so that |F* − F| is the two steps' difference smoothed without cancelling: W1 is then
                // the sorted matching's (a sign change of F* − F within 40 would be smoothed away in part).
                Prop.forAll (Arb.fromGen separatedMeans) (fun (t, m) ->
                    let d = Trajectory.distances t m
                    let w1 = Array.map2 (fun a b -> abs (a - b)) (Array.sort t) (Array.sort m) |> Array.average
                    abs (d.Tv - 1.0) < 1e-12 && abs (d.Js - log 2.0) < 1e-9 && abs d.GanLossAtOptimum < 1e-9
                    && abs (d.W1 - w1) <= 1e-9 * w1))
            testProperty "the distances do not change when both mixtures move by up to 1e9" (
                Prop.forAll (Arb.fromGen (Gen.zip meansPair (Gen.choose (0, 90)))) (fun ((t, m), exponent) ->
                    let shift = 10.0 ** (float exponent / 10.0)
                    let near = Trajectory.distances t m
                    let far = Trajectory.distances (Array.map ((+) shift) t) (Array.map ((+) shift) m)
                    // The shifted means are rounded to the doubles' spacing there (1.2e-7 at 1e9).
                    let tolerance = 1e-9 + 4.0 * (System.Math.BitIncrement shift - shift)
                    abs (near.Tv - far.Tv) <= tolerance && abs (near.Js - far.Js) <= tolerance
                    && abs (near.W1 - far.W1) <= tolerance && abs (near.GanLossAtOptimum - far.GanLossAtOptimum) <= tolerance))
            test "the new user's run (eta_g 1e6): the means leave +-1e3, every distance is that of disjoint supports, and it is recorded as diverged" {
                let spec = { DynamicsSpec.Default with GeneratorStep = 1e6; Steps = 200 }
                let trajectory = Trajectory.run tolerances spec
                let means = trajectory.Means[200]
                Expect.isGreaterThan (abs means[0]) 1e4 "the means are far out"
                let d = Trajectory.distances [| -0.5; 0.5 |] means
                Expect.floatClose Accuracy.veryHigh d.Tv 1.0 "TV of disjoint supports"
                Expect.floatClose Accuracy.high d.Js (log 2.0) "JS of disjoint supports"
                Expect.floatClose Accuracy.high d.GanLossAtOptimum 0.0 "2 JS - log 4"
                Expect.isLessThanOrEqual trajectory.Loss[200] (1.0 + d.Tv) "the loss at most its maximum"
                Expect.isSome trajectory.Statistics.DivergedAt "diverged beyond the tolerance"
            }
        ]
        testList "ordering constraint" [
            testProperty "projection gives ordered endpoints, keeps their sum, and leaves ordered ones alone" (
                Prop.forAll (Arb.fromGen (Gen.arrayOfLength 4 coordinate)) (fun e ->
                    let p = OrderedEndpoints.project e
                    OrderedEndpoints.isOrdered p
                    && close 1e-12 (Array.sum p) (Array.sum e)
                    && OrderedEndpoints.project (Array.sort e) = Array.sort e
                    && OrderedEndpoints.project p = p))
            testProperty "projection is the nearest ordered vector" (
                Prop.forAll (Arb.fromGen (Gen.zip (Gen.arrayOfLength 4 coordinate) (Gen.arrayOfLength 4 coordinate))) (fun (e, other) ->
                    let distance (a: float[]) = Array.map2 (fun x y -> (x - y) * (x - y)) a e |> Array.sum
                    distance (OrderedEndpoints.project e) <= distance (Array.sort other) + 1e-12))
        ]
        testList "dynamics" [
            testProperty "a first-order step is simultaneous: every update uses the previous state" (
                Prop.forAll (Arb.fromGen state) (fun (t, m, e) ->
                    let gm, ge = TwoGaussianGame.gradient t m e
                    let nextMeans, nextEndpoints = FirstOrderDynamics.step t 0.1 0.2 m e
                    let expectedMeans = Array.map2 (fun v g -> v - 0.1 * g) m gm
                    let expectedEndpoints = OrderedEndpoints.project (Array.map2 (fun v g -> v + 0.2 * g) e ge)
                    nextMeans = expectedMeans && nextEndpoints = expectedEndpoints))
            test "optimal dynamics from a spread of initial conditions end at mu* (converged, within the cycle)" {
                for t in [ [| -0.5; 0.5 |]; [| -2.0; 2.0 |]; [| 0.0; 3.0 |] ] do
                    for m0 in [ -3.0; -1.0; 0.0; 1.5; 3.0 ] do
                        for m1 in [ -2.5; 0.5; 2.0; 4.0 ] do
                            let stats, outcome = Outcome.ofRun tolerances DynamicsRule.Optimal t 0.1 0.1 3_000 [| m0; m1 |] [||]
                            Expect.equal outcome Outcome.Converged (sprintf "mu* %A from (%g, %g)" t m0 m1)
                            Expect.isLessThan (Outcome.setDistance t stats.FinalMeans) 0.05 "ends near mu*"
            }
            test "the optimal dynamics' final cycle around mu* = (-0.5, 0.5) at eta_g = 0.1 has a radius of about 0.01" {
                let stats, outcome = Outcome.ofRun tolerances DynamicsRule.Optimal [| -0.5; 0.5 |] 0.1 0.1 1_000 [| 0.3; 0.9 |] [||]
                Expect.equal outcome Outcome.Converged "converged"
                Expect.isGreaterThan stats.MaxSetDistance 0.002 "a fixed step cannot stop exactly at the kink"
                Expect.isLessThan stats.MaxSetDistance 0.03 "about 0.01"
            }
            test "optimal dynamics on one Gaussian converge from anywhere" {
                for m in [ -5.0; -1.0; 0.3; 2.0; 6.0 ] do
                    let _, outcome = Outcome.ofRun tolerances DynamicsRule.Optimal [| 0.0 |] 0.1 0.1 2_000 [| m |] [||]
                    Expect.equal outcome Outcome.Converged (sprintf "from %g" m)
            }
            test "mu* is a fixed point: optimal dynamics, and first order with the optimal (empty) discriminator, stay there" {
                let t = [| -0.5; 0.5 |]
                let trajectory = Trajectory.run tolerances { DynamicsSpec.Default with InitialMeans = [ 0.5; -0.5 ]; Rule = DynamicsRule.Optimal; Steps = 50 }
                Expect.all trajectory.Means (fun m -> Outcome.setDistance t m = 0.0) "optimal stays"
                let empty = OptimalDiscriminator.endpoints t t
                let firstOrder = Trajectory.run tolerances { DynamicsSpec.Default with InitialMeans = [ -0.5; 0.5 ]; InitialIntervals = List.ofArray empty; Steps = 50 }
                Expect.all firstOrder.Means (fun m -> m = t) "first order stays"
                Expect.equal firstOrder.Outcome Outcome.Converged "converged"
            }
            test "first-order runs of Fig. 1's setting end in every outcome the notes name" {
                let run e = (Trajectory.run tolerances { DynamicsSpec.Default with InitialMeans = [ -2.0; 1.5 ]; InitialIntervals = e; Steps = 5_000 }).Outcome
                Expect.equal (run [ -2.0; -0.5; 0.5; 2.0 ]) Outcome.Converged "converges"
                Expect.equal (run [ -2.5; -2.0; -1.0; 1.0 ]) Outcome.ModeCollapse "mode collapse"
                Expect.equal (run [ -2.0; -1.5; 1.5; 2.0 ]) Outcome.DiscriminatorCollapse "stalls with collapsed intervals"
            }
            test "discriminator-only steps against Fig. 2's generator collapse the interval that sits where p* < p" {
                let spec =
                    { DynamicsSpec.Default with
                        TrueMeans = [ -2.0; 2.0 ]; InitialMeans = [ -1.0; 2.5 ]; InitialIntervals = [ -1.0; 0.2; 2.0; 5.0 ]
                        GeneratorStep = 0.3; DiscriminatorStep = 0.3; Rule = DynamicsRule.DiscriminatorOnly }
                let trajectory = Trajectory.run tolerances spec
                let final = trajectory.Endpoints[trajectory.Endpoints.Length - 1]
                Expect.equal final[0] final[1] "left interval degenerate"
                Expect.isGreaterThan (final[3] - final[2]) 1.0 "right interval alive"
                Expect.equal trajectory.Means[1000] [| -1.0; 2.5 |] "generator fixed"
                Expect.equal trajectory.Outcome Outcome.DiscriminatorCollapse "outcome"
            }
            test "the same spec gives the same trajectory, bit for bit" {
                let spec = { DynamicsSpec.Default with Steps = 300 }
                let a, b = Trajectory.run tolerances spec, Trajectory.run tolerances spec
                Expect.equal a.Means b.Means "means"
                Expect.equal a.Endpoints b.Endpoints "endpoints"
            }
        ]
        testList "outcomes" [
            let stats means ranges gap distance ends =
                { MaxSetDistance = distance; MaxGap = gap; MeanRanges = ranges; DivergedAt = None; FinalMeans = means; FinalEndpoints = ends }
            let t = [| -1.0; 1.0 |]
            let alive = [| -2.0; 0.0; 0.5; 2.0 |]
            test "each rule of the classification" {
                let classify = Outcome.classify tolerances DynamicsRule.FirstOrder t 0.1
                Expect.equal (classify (stats [| -1.0; 1.0 |] [| 0.02; 0.02 |] 2.0 0.04 alive)) Outcome.Converged "within the tolerance"
                Expect.equal (classify (stats [| 0.1; 0.1 |] [| 0.0; 0.0 |] 0.01 1.1 alive)) Outcome.ModeCollapse "means together"
                Expect.equal (classify (stats [| -0.5; 0.7 |] [| 0.0; 0.0 |] 1.2 0.5 [| -2.0; -2.0; 0.5; 2.0 |])) Outcome.DiscriminatorCollapse "degenerate interval"
                Expect.equal (classify (stats [| -0.5; 0.7 |] [| 0.0; 0.0 |] 1.2 0.5 [| 20.0; 21.0; 22.0; 23.0 |])) Outcome.DiscriminatorCollapse "intervals off the mass"
                Expect.equal (classify (stats [| -0.5; 0.7 |] [| 1e-4; 1e-4 |] 1.2 0.5 alive)) Outcome.VanishingGradient "stalled"
                Expect.equal (classify (stats [| -0.5; 0.7 |] [| 0.3; 0.3 |] 1.2 0.5 alive)) Outcome.Oscillation "moving"
                Expect.equal (classify { stats [| -1.0; 1.0 |] [| 0.0; 0.0 |] 2.0 0.0 alive with DivergedAt = Some 7 }) Outcome.Oscillation "diverged"
            }
            test "a fixed step's cycle is allowed for: the converged radius grows with eta_g" {
                let cycle = stats [| -1.05; 1.05 |] [| 0.1; 0.1 |] 2.1 0.1 alive
                Expect.equal (Outcome.classify tolerances DynamicsRule.Optimal t 0.1 cycle) Outcome.Oscillation "0.1 is no cycle at eta_g 0.1"
                Expect.equal (Outcome.classify tolerances DynamicsRule.Optimal t 0.3 cycle) Outcome.Converged "but is one at eta_g 0.3"
            }
            test "the cycle allowance stops at MaxCycle: at eta_g 30 a run 3.7 from mu* is no convergence" {
                Expect.equal (Outcome.convergedTolerance tolerances 0.1) 0.05 "Converged governs at eta_g 0.1"
                Expect.floatClose Accuracy.veryHigh (Outcome.convergedTolerance tolerances 0.3) (0.3 * TwoGaussianGame.phi 0.0) "the cycle at eta_g 0.3"
                Expect.equal (Outcome.convergedTolerance tolerances 30.0) 0.25 "capped"
                let spec = { DynamicsSpec.Default with GeneratorStep = 30.0; Steps = 300 }
                let trajectory = Trajectory.run tolerances spec
                Expect.isGreaterThan trajectory.Statistics.MaxSetDistance 1.0 "far from mu* in the tail"
                Expect.notEqual trajectory.Outcome Outcome.Converged "the new user's run is not converged"
            }
            test "a run that stopped before its tail window has no tail statistics (NaN), and is diverged at that step" {
                let trajectory = Trajectory.run tolerances { DynamicsSpec.Default with GeneratorStep = 1e308 }
                Expect.equal trajectory.DivergedAt (Some 1) "stopped at step 1"
                Expect.equal trajectory.Statistics.DivergedAt (Some 1) "diverged at step 1"
                Expect.isTrue (System.Double.IsNaN trajectory.Statistics.MaxSetDistance) "no tail distance"
                Expect.all trajectory.Statistics.MeanRanges System.Double.IsNaN "no tail ranges"
                Expect.equal trajectory.Outcome Outcome.Oscillation "diverged reads as oscillation"
            }
            test "the optimal rule is never called a discriminator collapse" {
                Expect.equal (Outcome.classify tolerances DynamicsRule.Optimal t 0.1 (stats [| -0.5; 0.7 |] [| 0.0; 0.0 |] 1.2 0.5 [| 0.0; 0.0; 0.0; 0.0 |])) Outcome.VanishingGradient "stalled"
            }
            test "the set distance ignores the order of the means" {
                Expect.equal (Outcome.setDistance [| -1.0; 1.0 |] [| 1.1; -0.8 |]) (Outcome.setDistance [| -1.0; 1.0 |] [| -0.8; 1.1 |]) "order"
                Expect.floatClose Accuracy.veryHigh (Outcome.setDistance [| -1.0; 1.0 |] [| 1.1; -0.8 |]) 0.2 "largest error"
            }
        ]
        testList "phase diagram" [
            let small = { PhaseDiagramSpec.Default with Separations = [ 1.0; 4.0 ]; StepRatios = [ 1.0; 4.0 ]; InitialConditions = 40; Steps = 300 }
            test "the same seed gives the same diagram, and parallel cells equal the trajectories run one by one" {
                let a = PhaseDiagram.run tolerances small ignore
                let b = PhaseDiagram.run tolerances small ignore
                // Compared as text: NaN fields (the optimal rule's step ratio) are never equal as floats.
                Expect.equal (GanFlow.Report.DynamicsFolder.phaseText a) (GanFlow.Report.DynamicsFolder.phaseText b) "deterministic"
                let draws = PhaseDiagram.draws small.Seed 2 small.InitialConditions
                let byHand =
                    draws
                    |> Array.map (fun d ->
                        let m, e = PhaseDiagram.initialCondition small.Margin [| -2.0; 2.0 |] d
                        snd (Outcome.ofRun tolerances DynamicsRule.FirstOrder [| -2.0; 2.0 |] 0.1 0.4 small.Steps m e))
                let cell = a |> List.find (fun c -> c.Game = PhaseGame.TwoGaussians && c.Separation = 4.0 && c.StepRatio = 4.0)
                Expect.equal cell.Counts (OutcomeCounts.Count byHand) "cell counts"
            }
            test "every cell counts every initial condition, and the optimal rule converges in every cell" {
                let cells = PhaseDiagram.run tolerances { small with Steps = 2_000 } ignore
                Expect.equal cells.Length (2 * 3 + 3) "two separations x (optimal + 2 ratios) + single Gaussian (optimal + 2 ratios)"
                Expect.all cells (fun c -> c.Counts.Total = 40) "counts"
                Expect.all (cells |> List.filter (fun c -> c.Rule = DynamicsRule.Optimal)) (fun c -> c.ShareConverged = 1.0) "optimal converges"
            }
            test "a different seed draws different initial conditions" {
                Expect.notEqual (PhaseDiagram.draws 1 2 10) (PhaseDiagram.draws 2 2 10) "draws"
            }
        ]
    ]

/// The pure scheduler (ASHA with pause and promote, synchronous successive halving, random search): properties over
/// random searches with random arrival orders, and the search space's laws.
module GanFlow.Tests.SchedulerTests

open System
open Expecto
open FsCheck
open GanFlow.Core.Search

/// A metric value for (trial, step) that depends on nothing else (so arrival order cannot change it); a few trials
/// diverge.
let private valueOf (seed: int) (trial: int) (step: int) =
    let r = Random(HashCode.Combine(seed, trial, step))
    if r.NextDouble() < 0.05 then nan else r.NextDouble()

/// Simulates a search with `workers` parallel jobs finishing in a random order (drawn from `orderSeed`); checks
/// `onPromote` at every promotion against the state just before it. Returns the final state and every decision.
let private simulate (spec: SchedulerSpec) (trials: int) (workers: int) (valueSeed: int) (orderSeed: int) (onPromote: SearchState -> Decision -> unit) =
    let order = Random orderSeed
    let mutable state = Asha.init spec trials
    let decisions = ResizeArray<Decision>()
    let running = ResizeArray<int * int>()
    let mutable go = true
    while go do
        let mutable filling = true
        while filling && running.Count < workers do
            match Asha.next state with
            | next, Some d ->
                (match d with Decision.Promote _ -> onPromote state d | _ -> ())
                state <- next
                decisions.Add d
                match d with
                | Decision.Start(t, s) | Decision.Promote(t, _, s) -> running.Add(t, s)
                | _ -> ()
            | _, None -> filling <- false
        if running.Count = 0 then go <- false
        else
            let i = order.Next running.Count
            let trial, step = running[i]
            running.RemoveAt i
            let value = valueOf valueSeed trial step
            let outcome = if Double.IsNaN value then Outcome.DivergedOnTheWay else Outcome.Reached(step, value)
            let next, d = Asha.report trial outcome state
            state <- next
            decisions.Add d
    let ended, stops = Asha.finish state
    ended, List.ofSeq decisions @ stops

/// The invariants every ASHA promotion must keep, checked against the state just before it (also used on the event logs of
/// real searches): the rung promotes at most its quota (⌈n/η⌉ or ⌊n/η⌋ of the n trials recorded there), the trial ranks
/// within that quota, waits at that rung, was never promoted from it before, and goes on to the next milestone. With
/// Hyperband's brackets each holds within the trial's bracket (its own trials recorded at the rung, its own promotions),
/// and a trial starts towards its bracket's first milestone (the first milestone without brackets).
let ashaViolations (before: SearchState) (d: Decision) =
    match d with
    | Decision.Promote(trial, rung, toStep) ->
        // The bracket from the spec alone (trial mod the brackets), not from the scheduler's own functions.
        let brackets = match before.Spec.Scheduler with Scheduler.Hyperband(_, b) -> b | _ -> 1
        let bracket = trial % brackets
        let ranked = Asha.ranking rung before |> List.map fst |> List.filter (fun t -> t % brackets = bracket)
        let quota = Asha.quota before ranked.Length
        let promoted = before.Promoted |> Map.tryFind rung |> Option.defaultValue Set.empty |> Set.filter (fun t -> t % brackets = bracket)
        [ if promoted.Count + 1 > quota then sprintf "rung %d, bracket %d: %d promoted of %d recorded (quota %d)" rung bracket (promoted.Count + 1) ranked.Length quota
          if not (List.contains trial (List.truncate quota ranked)) then sprintf "trial %d promoted from below rung %d's cutoff in bracket %d" trial rung bracket
          if promoted.Contains trial then sprintf "trial %d promoted twice from rung %d" trial rung
          if before.Phases |> Map.tryFind trial <> Some(TrialPhase.Paused rung) then sprintf "trial %d promoted from rung %d without waiting there" trial rung
          if toStep <> before.Milestones[rung + 1] then sprintf "trial %d promoted to step %d, not the next milestone" trial toStep ]
    | Decision.Start(trial, toStep) ->
        let first = before.Milestones[trial % (match before.Spec.Scheduler with Scheduler.Hyperband(_, b) -> b | _ -> 1)]
        [ if trial <> before.Started then sprintf "trial %d started out of order (next is %d)" trial before.Started
          if before.Started >= before.Trials then sprintf "trial %d started beyond the %d trials" trial before.Trials
          if toStep <> first then sprintf "trial %d started towards step %d, not its bracket's first milestone %d" trial toStep first ]
    | _ -> []

/// Runs a search with ⌊n/η⌋ one job at a time (each job reports before the next decision), the metric of trial t at step s
/// being `value t s`; returns every decision in order (the waiting trials are not stopped at the end).
let private serially (scheduler: Scheduler) (trials: int) (value: int -> int -> float) =
    let mutable s = Asha.init { SchedulerSpec.Default with Scheduler = scheduler; Quota = PromotionQuota.Floor } trials
    let decisions = ResizeArray<Decision>()
    let mutable go = true
    while go do
        match Asha.next s with
        | next, Some(Decision.Start(t, step) as d)
        | next, Some(Decision.Promote(t, _, step) as d) ->
            decisions.Add d
            let after, outcome = Asha.report t (Outcome.Reached(step, value t step)) next
            decisions.Add outcome
            s <- after
        | _ -> go <- false
    List.ofSeq decisions

let private asha eta = { SchedulerSpec.Default with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 640; ReductionFactor = eta } }
let private synchronous eta = { SchedulerSpec.Default with Scheduler = Scheduler.SuccessiveHalving { MinSteps = 10; MaxSteps = 640; ReductionFactor = eta } }

let private config = { FsCheckConfig.defaultConfig with maxTest = 60 }

let private promotionsFrom (decisions: Decision list) =
    decisions |> List.choose (function Decision.Promote(t, rung, _) -> Some(t, rung) | _ -> None)

[<Tests>]
let tests =
    testList "scheduler" [
        test "milestones are r·η^k below R, then R (Ray's rungs): seed 000's 5,000, 20,000 and 50,000" {
            Expect.equal (Rungs.milestones (Scheduler.Asha Halving.Seed000)) [ 5_000; 20_000; 50_000 ] "seed 000"
            Expect.equal (Rungs.milestones (Scheduler.Asha { MinSteps = 1; MaxSteps = 64; ReductionFactor = 4 })) [ 1; 4; 16; 64 ] "R itself when it is a rung"
            Expect.equal (Rungs.milestones (Scheduler.RandomSearch 300)) [ 300 ] "random search: the maximum only"
        }

        test "a search's expected steps: seed 000's reduced ASHA and random search 16,000 each; Hyperband's brackets start at their own milestones" {
            let reduced = { MinSteps = 100; MaxSteps = 1_600; ReductionFactor = 4 }
            Expect.floatClose Accuracy.veryHigh (Rungs.expectedSteps (Scheduler.Asha reduced) 64) 16_000.0 "64 × 100 + 16 × 300 + 4 × 1,200"
            Expect.floatClose Accuracy.veryHigh (Rungs.expectedSteps (Scheduler.RandomSearch 1_600) 10) 16_000.0 "10 × 1,600"
            Expect.floatClose Accuracy.veryHigh (Rungs.expectedSteps (Scheduler.Hyperband(reduced, 1)) 64) 16_000.0 "one bracket is ASHA"
            // 34 trials in 2 brackets of 17: bracket 0 is ASHA (17 × 100 + 17/4 × 300 + 17/16 × 1,200), bracket 1 starts at
            // 400 (17 × 400 + 17/4 × 1,200).
            Expect.floatClose Accuracy.veryHigh (Rungs.expectedSteps (Scheduler.Hyperband(reduced, 2)) 34) (4_250.0 + 11_900.0) "two brackets"
            // 5 trials in 3 brackets: trials 0 and 3 in bracket 0, 1 and 4 in bracket 1, 2 in bracket 2 (straight to 1,600).
            Expect.floatClose Accuracy.veryHigh (Rungs.expectedSteps (Scheduler.Hyperband(reduced, 3)) 5) (2.0 * 100.0 + 0.5 * 300.0 + 0.125 * 1_200.0 + 2.0 * 400.0 + 0.5 * 1_200.0 + 1_600.0) "three brackets, uneven"
        }

        testPropertyWithConfig config "ASHA never promotes more than ⌈n/η⌉ of the n trials recorded at a rung, nor a trial twice, nor one below the rung's cutoff" <|
            fun (PositiveInt trials) (PositiveInt workers) (valueSeed: int) (orderSeed: int) (etaChoice: bool) ->
                let trials, workers, eta = 1 + trials % 60, 1 + workers % 6, (if etaChoice then 2 else 4)
                let spec = asha eta
                let check (before: SearchState) (d: Decision) =
                    match d with
                    | Decision.Promote(trial, rung, _) ->
                        let ranked = Asha.ranking rung before |> List.map fst
                        let quota = (ranked.Length + eta - 1) / eta
                        let promoted = before.Promoted |> Map.tryFind rung |> Option.defaultValue Set.empty
                        if promoted.Count + 1 > quota then failwithf "rung %d: %d promoted of %d recorded" rung (promoted.Count + 1) ranked.Length
                        if not (List.contains trial (List.truncate quota ranked)) then failwithf "trial %d promoted from below rung %d's cutoff" trial rung
                    | _ -> ()
                let final, decisions = simulate spec trials workers valueSeed orderSeed check
                let promotions = promotionsFrom decisions
                promotions = List.distinct promotions
                && final.Phases
                   |> Map.forall (fun _ p ->
                       match p with
                       | TrialPhase.Completed | TrialPhase.Stopped _ | TrialPhase.Diverged | TrialPhase.Failed -> true
                       | _ -> false)
                && final.Started = trials

        testPropertyWithConfig config "with either quota ASHA keeps every invariant at every decision, and ⌊n/η⌋ promotes nothing from a rung with fewer than η reports" <|
            fun (PositiveInt trials) (PositiveInt workers) (valueSeed: int) (orderSeed: int) (floor: bool) (etaChoice: bool) ->
                let trials, workers, eta = 1 + trials % 60, 1 + workers % 6, (if etaChoice then 2 else 4)
                let spec = { asha eta with Quota = (if floor then PromotionQuota.Floor else PromotionQuota.Ceiling) }
                let check (before: SearchState) (d: Decision) =
                    match ashaViolations before d with
                    | [] -> ()
                    | problems -> failwithf "%A: %s" d (String.concat "; " problems)
                    match d with
                    | Decision.Promote(_, rung, _) when floor && (Asha.ranking rung before).Length < eta ->
                        failwithf "rung %d promoted with %d reports under ⌊n/η⌋" rung (Asha.ranking rung before).Length
                    | _ -> ()
                let final, _ = simulate spec trials workers valueSeed orderSeed check
                final.Started = trials && Asha.isFinished final

        testPropertyWithConfig config "asynchronous Hyperband keeps every ASHA invariant within each bracket, starts each trial at its bracket's first milestone and records it at no rung below it" <|
            fun (PositiveInt trials) (PositiveInt workers) (valueSeed: int) (orderSeed: int) (floor: bool) (PositiveInt bracketChoice) ->
                let trials, workers = 1 + trials % 60, 1 + workers % 6
                let h = { MinSteps = 10; MaxSteps = 640; ReductionFactor = 4 } // milestones 10, 40, 160, 640
                let brackets = 1 + bracketChoice % 4
                let spec = { SchedulerSpec.Default with Scheduler = Scheduler.Hyperband(h, brackets); Quota = (if floor then PromotionQuota.Floor else PromotionQuota.Ceiling) }
                let check (before: SearchState) (d: Decision) =
                    match ashaViolations before d with
                    | [] -> ()
                    | problems -> failwithf "%A: %s" d (String.concat "; " problems)
                let final, decisions = simulate spec trials workers valueSeed orderSeed check
                let startsRight =
                    decisions |> List.forall (function Decision.Start(t, step) -> step = final.Milestones[t % brackets] | _ -> true)
                let recordedRight =
                    final.Recorded |> Map.forall (fun rung values -> values |> List.forall (fun (t, _) -> t % brackets <= rung))
                startsRight && recordedRight && final.Started = trials && Asha.isFinished final

        testPropertyWithConfig config "Hyperband with one bracket is ASHA, decision by decision" <|
            fun (PositiveInt trials) (PositiveInt workers) (valueSeed: int) (orderSeed: int) (floor: bool) ->
                let trials, workers = 1 + trials % 40, 1 + workers % 4
                let h = { MinSteps = 10; MaxSteps = 640; ReductionFactor = 2 }
                let quota = if floor then PromotionQuota.Floor else PromotionQuota.Ceiling
                let run scheduler = snd (simulate { SchedulerSpec.Default with Scheduler = scheduler; Quota = quota } trials workers valueSeed orderSeed (fun _ _ -> ()))
                run (Scheduler.Hyperband(h, 1)) = run (Scheduler.Asha h)

        test "a slow starter that ASHA stops at its first rung goes on in a later bracket of Hyperband, where it is ranked against its own bracket at the next rung" {
            // Milestones 10, 40, 160; η = 4, ⌊n/η⌋. Values: trial 1 is the worst at 10 steps but the best at 40 (a low
            // learning rate); every other trial is middling at both.
            let h = { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }
            let value trial step = if trial = 1 then (if step = 10 then 9.0 else 0.1) else 1.0 + 0.01 * float trial
            let asha = serially (Scheduler.Asha h) 8 value
            Expect.isFalse (asha |> List.exists (function Decision.Promote(1, _, _) -> true | _ -> false)) "ASHA: trial 1 ranks last of 8 at 10 steps and is never promoted"
            let hyperband = serially (Scheduler.Hyperband(h, 2)) 8 value
            Expect.contains hyperband (Decision.Start(1, 40)) "bracket 1 starts trial 1 towards 40 steps"
            Expect.contains hyperband (Decision.Promote(1, 1, 160)) "the best of bracket 1's 4 trials at 40 steps goes on to the maximum"
            Expect.contains hyperband (Decision.Complete 1) "and completes"
            Expect.contains hyperband (Decision.Start(0, 10)) "bracket 0 is ASHA from the first rung"
        }

        test "each Hyperband bracket promotes its own best at a rung, where one ranking of the rung would promote only the best of all" {
            // Milestones 10, 40, 160; η = 4, ⌊n/η⌋; 16 trials, 2 brackets. At 40 steps bracket 0 holds its 2 promoted trials
            // and bracket 1 its 8 starters; trial 1 (bracket 1) is the best of bracket 1, trial 0 the best of all.
            let h = { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }
            let value trial step =
                match trial, step with
                | 0, _ -> 0.05
                | 1, _ -> 0.1
                | t, _ -> 1.0 + 0.01 * float t
            let decisions = serially (Scheduler.Hyperband(h, 2)) 16 value
            let promotedFrom1 = decisions |> Seq.choose (function Decision.Promote(t, 1, _) -> Some t | _ -> None) |> List.ofSeq
            // One ranking of rung 1 (2 + 8 = 10 trials) would allow ⌊10/4⌋ = 2 promotions: trials 0 and 1 by value, but
            // bracket 0's quota alone is ⌊2/4⌋ = 0, so trial 0 must wait; bracket 1's is ⌊8/4⌋ = 2: trials 1 and 3.
            Expect.equal promotedFrom1 [ 1; 3 ] "bracket 1 promotes its two best from rung 1; bracket 0 (2 trials there) none"
            Expect.contains decisions (Decision.Pause(0, 1)) "trial 0 waits at rung 1 in its bracket of 2"
        }

        test "Hyperband's last bracket trains its trials straight to the maximum (random search)" {
            let h = { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }
            let s = Asha.init { SchedulerSpec.Default with Scheduler = Scheduler.Hyperband(h, 3) } 3
            let s, d0 = Asha.next s
            let s, d1 = Asha.next s
            let s, d2 = Asha.next s
            Expect.equal [ d0; d1; d2 ] [ Some(Decision.Start(0, 10)); Some(Decision.Start(1, 40)); Some(Decision.Start(2, 160)) ] "brackets 0, 1, 2 start at milestones 0, 1, 2"
            let _, d = Asha.report 2 (Outcome.Reached(160, 0.5)) s
            Expect.equal d (Decision.Complete 2) "bracket 2's trial completes at its first report"
        }

        testProperty "a rung value lies between the smallest and the largest evaluation it uses, and ignores those after the milestone" <|
            fun (values: NormalFloat list) (PositiveInt k) (PositiveInt milestoneIndex) ->
                let evaluations = values |> List.mapi (fun i v -> (i + 1) * 10, v.Get)
                let milestone = 10 * (1 + milestoneIndex % (max 1 evaluations.Length))
                let upTo = evaluations |> List.filter (fun (s, _) -> s <= milestone) |> List.map snd
                let k = 1 + k % 5
                let used = upTo |> List.skip (max 0 (upTo.Length - k))
                [ RungValue.AtMilestone; RungValue.MeanOfLast k; RungValue.MedianOfLast k ]
                |> List.forall (fun rule ->
                    let v = Rungs.value rule (List.rev evaluations) milestone
                    match rule, used with
                    | _, [] -> Double.IsNaN v
                    | RungValue.AtMilestone, _ -> v = List.last upTo
                    | _ -> v >= List.min used - 1e-9 * abs (List.min used) && v <= List.max used + 1e-9 * abs (List.max used))

        test "the rung value's mean and median of the last k evaluations are the closed forms" {
            let evaluations = [ 100, 4.0; 200, 1.0; 300, 9.0; 400, 2.0; 500, 100.0 ]
            Expect.equal (Rungs.value RungValue.AtMilestone evaluations 400) 2.0 "the milestone's evaluation"
            Expect.equal (Rungs.value (RungValue.MeanOfLast 3) evaluations 400) 4.0 "(1 + 9 + 2) / 3"
            Expect.equal (Rungs.value (RungValue.MedianOfLast 3) evaluations 400) 2.0 "median of 1, 9, 2"
            Expect.equal (Rungs.value (RungValue.MedianOfLast 4) evaluations 400) 3.0 "median of 4, 1, 9, 2: (2 + 4) / 2"
            Expect.equal (Rungs.value (RungValue.MeanOfLast 10) evaluations 200) 2.5 "fewer evaluations than k: all of them"
            Expect.isTrue (Double.IsNaN(Rungs.value (RungValue.MedianOfLast 3) evaluations 50)) "none before the milestone: NaN"
            Expect.isFalse (Double.IsFinite(Rungs.value (RungValue.MedianOfLast 2) [ 100, 1.0; 200, nan ] 200)) "a diverged evaluation makes it non-finite"
        }

        test "ASHA with ⌊n/η⌋ makes the first trials at a rung wait for η reports, where ⌈n/η⌉ promotes the first at once" {
            let run quota =
                let spec = { SchedulerSpec.Default with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 40; ReductionFactor = 2 }; Quota = quota }
                let s, _ = Asha.next (Asha.init spec 4)
                let s, _ = Asha.report 0 (Outcome.Reached(10, 0.9)) s
                snd (Asha.next s)
            Expect.equal (run PromotionQuota.Ceiling) (Some(Decision.Promote(0, 0, 20))) "⌈1/2⌉ = 1: trial 0 goes on at once"
            Expect.equal (run PromotionQuota.Floor) (Some(Decision.Start(1, 10))) "⌊1/2⌋ = 0: trial 0 waits, trial 1 starts"
        }

        testPropertyWithConfig config "synchronous halving promotes the same trials whatever order the reports arrive in" <|
            fun (PositiveInt trials) (valueSeed: int) (orderA: int) (orderB: int) (PositiveInt workers) ->
                let trials, workers = 1 + trials % 50, 1 + workers % 5
                let promotedSets order =
                    let _, decisions = simulate (synchronous 3) trials workers valueSeed order (fun _ _ -> ())
                    promotionsFrom decisions |> List.groupBy snd |> List.map (fun (rung, ts) -> rung, ts |> List.map fst |> Set.ofList) |> Map.ofList
                promotedSets orderA = promotedSets orderB

        testPropertyWithConfig config "random search runs every trial to the maximum, with no early stopping" <|
            fun (PositiveInt trials) (PositiveInt workers) (orderSeed: int) ->
                let trials = 1 + trials % 40
                let spec = { SchedulerSpec.Default with Scheduler = Scheduler.RandomSearch 100 }
                // No divergence here: every trial reaches the maximum.
                let mutable state = Asha.init spec trials
                let mutable completed = 0
                let mutable go = true
                while go do
                    match Asha.next state with
                    | next, Some(Decision.Start(t, step)) ->
                        let after, d = Asha.report t (Outcome.Reached(step, float (orderSeed % 7 + t))) next
                        state <- after
                        if step = 100 && d = Decision.Complete t then completed <- completed + 1
                    | _, _ -> go <- false
                completed = trials && Asha.isFinished state

        test "ASHA pauses a trial at a rung and promotes it later once it qualifies (never a retrain)" {
            // η = 2, rungs 10, 20, then 40. Trial 0 reports 0.5 at rung 0: promoted at once (⌈1/2⌉ = 1).
            let spec = { SchedulerSpec.Default with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 40; ReductionFactor = 2 } }
            let s = Asha.init spec 3
            let s, d0 = Asha.next s
            Expect.equal d0 (Some(Decision.Start(0, 10))) "trial 0 starts"
            let s, _ = Asha.report 0 (Outcome.Reached(10, 0.5)) s
            let s, d1 = Asha.next s
            Expect.equal d1 (Some(Decision.Promote(0, 0, 20))) "the first trial at a rung is promoted (quota 1 of 1)"
            let s, d2 = Asha.next s
            Expect.equal d2 (Some(Decision.Start(1, 10))) "a free worker starts a new trial"
            let s, pause = Asha.report 1 (Outcome.Reached(10, 0.9)) s
            Expect.equal pause (Decision.Pause(1, 0)) "trial 1 waits at rung 0"
            let s, d3 = Asha.next s
            Expect.equal d3 (Some(Decision.Start(2, 10))) "quota ⌈2/2⌉ = 1 already used: trial 1 waits, trial 2 starts"
            let s, _ = Asha.report 2 (Outcome.Reached(10, 0.7)) s
            let s, d4 = Asha.next s
            Expect.equal d4 (Some(Decision.Promote(2, 0, 20))) "three recorded, quota 2: the best waiting one, trial 2, is promoted"
            Expect.equal (snd (Asha.next s)) None "nothing else until a report comes"
            let s, _ = Asha.report 0 (Outcome.Reached(20, 0.3)) s
            let s, d5 = Asha.next s
            Expect.equal d5 (Some(Decision.Promote(0, 1, 40))) "trial 0 goes on from rung 1 to the maximum"
            let s, complete = Asha.report 0 (Outcome.Reached(40, 0.2)) s
            Expect.equal complete (Decision.Complete 0) "at the maximum a trial completes"
            let s, _ = Asha.report 2 (Outcome.Reached(20, 0.6)) s
            let _, stops = Asha.finish s
            Expect.equal stops [ Decision.Stop(1, 0); Decision.Stop(2, 1) ] "the search over, the waiting trials are stopped where they wait"
        }

        test "a report for a trial that is not running is refused (a driver bug, never silently absorbed)" {
            let s = Asha.init (asha 4) 2
            Expect.throwsT<InvalidOperationException> (fun () -> Asha.report 0 (Outcome.Reached(10, 0.1)) s |> ignore) "not started"
            let s, _ = Asha.next s
            Expect.throwsT<InvalidOperationException> (fun () -> Asha.report 0 (Outcome.Reached(40, 0.1)) s |> ignore) "wrong step"
        }

        testProperty "an assignment holds a conditional parameter exactly when its condition holds, and is a function of the seed" <| fun (seed: int) ->
            let space =
                [ SearchSpace.parameter "schedule" (SearchSpace.texts [ "constant"; "cyclic" ])
                  SearchSpace.parameter "cyclic_divisor" (SearchSpace.ints [ 2; 3; 4; 5 ]) |> SearchSpace.onlyWhen "schedule" [ ParameterValue.Text "cyclic" ]
                  SearchSpace.parameter "lr" (Domain.LogUniform(1e-5, 1e-3))
                  SearchSpace.parameter "width" (Domain.IntRange(8, 16)) ]
            let a = SearchSpace.sample (Random seed) space
            let cyclic = SearchSpace.tryGet "schedule" a = Some(ParameterValue.Text "cyclic")
            let inRange =
                match SearchSpace.tryGet "lr" a, SearchSpace.tryGet "width" a with
                | Some(ParameterValue.Float lr), Some(ParameterValue.Int w) -> lr >= 1e-5 && lr <= 1e-3 && w >= 8 && w <= 16
                | _ -> false
            (SearchSpace.tryGet "cyclic_divisor" a).IsSome = cyclic && inRange && a = SearchSpace.sample (Random seed) space
    ]

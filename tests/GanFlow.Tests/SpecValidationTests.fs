module GanFlow.Tests.SpecValidationTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Models
open GanFlow.Core.Training

let private valid = Experiment.create "unimodal-wgan-gp" "WGAN-GP on seed 000's unimodal data" NamedDatasets.unimodal

let private withGan (change: Gan -> Gan) = { valid with Model = Model.Gan(change Gan.Default) }

/// Asserts that the experiment is rejected with an error on `field` showing `value`.
let private expectError (field: string) (value: string) (experiment: Experiment) =
    let errors = ExperimentValidation.errors experiment
    let shown = errors |> List.map string |> String.concat "; "
    Expect.exists errors (fun e -> e.Field = field && e.Value = value) (sprintf "an error on %s = %s among [%s]" field value shown)
    Expect.isError (ExperimentValidation.validate experiment) "validate rejects it too"

[<Tests>]
let tests =
    testList "spec validation" [
        test "the default experiment is valid" {
            Expect.isEmpty (ExperimentValidation.errors valid) "no errors"
            Expect.isOk (ExperimentValidation.validate valid) "validate accepts it"
        }
        test "a blend probability above one gives the uniform part a negative weight, which is rejected" {
            expectError "data.law.components[1].weight" "-0.5" { valid with Data = DataSource.Law(NamedDatasets.uniformGaussianBlend 5.0 0.1 5.0 1.5) }
        }
        test "a zero mixture weight is rejected" {
            expectError "data.law.components[1].weight" "0" { valid with Data = DataSource.Law(NamedDatasets.uniformGaussianBlend 5.0 0.1 5.0 1.0) }
        }
        test "a negative standard deviation is rejected" {
            expectError "data.law.std" "-1" { valid with Data = DataSource.Law(Distribution.Gaussian(0.0, -1.0)) }
        }
        test "a nested negative standard deviation names its path" {
            let dataset = Distribution.LocationScale(0.0, 1.0, NamedDatasets.uniformGaussianBlend 5.0 -0.1 5.0 0.75)
            expectError "data.law.baseDistribution.components[0].distribution.std" "-0.1" { valid with Data = DataSource.Law(dataset) }
        }
        test "an empty mixture is rejected" {
            expectError "data.law.components" "[]" { valid with Data = DataSource.Law(Distribution.Mixture []) }
        }
        test "a uniform with low not below high is rejected" {
            expectError "data.law.high" "1" { valid with Data = DataSource.Law(Distribution.Uniform(2.0, 1.0)) }
            expectError "data.law.high" "2" { valid with Data = DataSource.Law(Distribution.Uniform(2.0, 2.0)) }
        }
        test "a zero generator width is rejected" {
            expectError "model.generator.mlp.network.width" "0" (withGan (fun g -> { g with Generator = { g.Generator with Width = 0 } }))
        }
        test "a non-positive learning rate is rejected" {
            expectError "model.optimizer.learningRate" "-0.001"
                (withGan (fun g -> { g with GeneratorOptimizer = Optimizer.Adam { Adam.Default with LearningRate = -1e-3 } }))
            expectError "model.objective.adversarial.criticOptimizer.learningRate" "0"
                (withGan (fun g -> { g with CriticOptimizer = Optimizer.RmsProp { RmsProp.Default with LearningRate = 0.0 } }))
        }
        test "a batch-normalised critic with a gradient penalty is rejected" {
            expectError "model.objective.adversarial.critic.mlp.batchNorm" "true" (withGan (fun g -> { g with Critic = { g.Critic with BatchNorm = true } }))
        }
        test "a batch-normalised critic without a gradient penalty is accepted" {
            let spectral = { valid with Model = Model.Gan { Gan.WganSpectralNorm with Critic = { Mlp.Default with BatchNorm = true } } }
            Expect.isEmpty (ExperimentValidation.errors spectral) "spectral norm only"
        }
        test "a cyclic schedule whose base exceeds the peak is rejected" {
            expectError "model.schedule.baseLearningRate" "0.001"
                (withGan (fun g -> { g with Schedule = LearningRateSchedule.CyclicTriangular(1e-3, 2000) }))
        }
        test "a cyclic schedule whose base exceeds the critic's learning rate, though not the generator's, is rejected naming the critic's rate" {
            let slowCritic = withGan (fun g ->
                { g with GeneratorOptimizer = Optimizer.Adam { Adam.Default with LearningRate = 1e-3 }
                         CriticOptimizer = Optimizer.Adam { Adam.Default with LearningRate = 1e-4 }
                         Schedule = LearningRateSchedule.CyclicTriangular(2e-4, 2000) })
            expectError "model.schedule.baseLearningRate" "0.0002" slowCritic
            let shown = ExperimentValidation.errors slowCritic |> List.map string |> String.concat "; "
            Expect.stringContains shown "the critic's learning rate 0.0001" "names the critic's rate"
            Expect.isEmpty (ExperimentValidation.errors (withGan (fun g -> { g with Schedule = LearningRateSchedule.CyclicTriangular(5e-5, 2000) })))
                "a base below both rates (1e-4) is accepted"
        }
        test "maximum likelihood or a hybrid objective on an MLP generator, which has no density, is rejected naming the objective" {
            let mlp = Model.Gan Gan.Default
            expectError "model.objective" "MaximumLikelihood" { valid with Model = { mlp with Objective = Objective.MaximumLikelihood } }
            expectError "model.objective" "Hybrid" { valid with Model = { mlp with Objective = Objective.Hybrid(Adversarial.WganGp, 1.0) } }
        }
        test "a negative hybrid weight is rejected" {
            let flowGan = Model.FlowGan(Flow.realNvpMoons, Objective.Hybrid(Adversarial.WganGp, -0.5))
            expectError "model.objective.hybrid.lambda" "-0.5" { valid with Data = DataSource.Law NamedDatasets.moons; Model = flowGan }
        }
        test "an adversarial objective on a Gaussianization flow, whose sampling has no gradients, is rejected" {
            expectError "model.generator.flow.architecture" "Gaussianization"
                { valid with Model = Model.FlowGan(Flow.gaussianization1d, Objective.Adversarial Adversarial.WganGp) }
        }
        test "Flow-GANs (a flow generator with an adversarial or hybrid objective) are valid" {
            for objective in [ Objective.Adversarial Adversarial.WganGp; Objective.Hybrid(Adversarial.WganGp, 0.0); Objective.Hybrid(Adversarial.WganGp, 1.0) ] do
                let e = { valid with Data = DataSource.Law NamedDatasets.moons; Model = Model.FlowGan(Flow.realNvpMoons, objective) }
                Expect.isEmpty (ExperimentValidation.errors e) (sprintf "%A" objective)
        }
        test "AIS settings below one, a bad observation std and a prior without a density are rejected naming the field" {
            let withAis (ais: Ais) = { valid with Evaluation = { valid.Evaluation with Ais = Some ais } }
            expectError "evaluation.ais.chains" "0" (withAis { Ais.Default with Chains = 0 })
            expectError "evaluation.ais.intermediates" "0" (withAis { Ais.Default with Intermediates = 0 })
            expectError "evaluation.ais.leapfrogSteps" "0" (withAis { Ais.Default with LeapfrogSteps = 0 })
            expectError "evaluation.ais.observationStd" "-0.1" (withAis { Ais.Default with ObservationStd = -0.1 })
            expectError "evaluation.ais.targetAcceptance" "1" (withAis { Ais.Default with TargetAcceptance = 1.0 })
            let uniform = { withAis Ais.Default with Model = Model.Gan { Gan.Default with Prior = { Prior.Default with Kind = PriorKind.SymmetricUniform } } }
            expectError "evaluation.ais" "SymmetricUniform" uniform
        }
        test "estimators asking for more points than the finite set's split holds are rejected naming the split" {
            let e =
                { valid with
                    Data = DataSource.Sample(NamedDatasets.ring8, FiniteSample.create 1_000 100 100 1)
                    Evaluation = { valid.Evaluation with Parzen = Some Parzen.Default; Ais = Some { Ais.Default with Points = 500 } } }
            expectError "evaluation.parzen.points" "1000" e
            expectError "evaluation.ais.points" "500" e
        }
        test "a Jacobian spectrum of a generator without gradients through z is rejected" {
            let e = { valid with Model = Model.Flow Flow.gaussianization1d; Evaluation = { valid.Evaluation with Jacobian = Some JacobianSpectrum.Default } }
            expectError "evaluation.jacobian" "Gaussianization" e
        }
        test "a bad experiment name is rejected" {
            expectError "name" "Bad Name" { valid with Name = "Bad Name" }
            expectError "name" "\"\"" { valid with Name = "" }
        }
        test "every error of a spec is reported, not only the first" {
            let bad = { valid with Name = "X"; Data = DataSource.Law(Distribution.Gaussian(0.0, -1.0)); Budget = { valid.Budget with Steps = 0 } }
            Expect.equal (ExperimentValidation.errors bad |> List.map (fun e -> e.Field)) [ "name"; "data.law.std"; "budget.steps" ] "three fields"
        }
    ]

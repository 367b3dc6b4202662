namespace GanFlow.Core.Experiments

open GanFlow.Core.Specs
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training

/// Boundary checks for whole experiments. `validate` returns every error; nothing is computed
/// for a spec with errors.
module ExperimentValidation =

    let private mlp path (m: Mlp) =
        Check.atLeast (path + ".width") 1 m.Width
        @ Check.atLeast (path + ".depth") 1 m.Depth
        @ (if m.Dropout >= 0.0 && m.Dropout < 1.0 then [] else Check.fail (path + ".dropout") m.Dropout "must lie in [0, 1)")
        @ (match m.Activation with
           | Activation.LeakyRelu slope -> Check.nonNegative (path + ".activation.negativeSlope") slope
           | _ -> [])
        @ (match m.Init with
           | WeightInit.Uniform bound -> Check.positive (path + ".init.bound") bound
           | _ -> [])

    /// Errors of an optimiser spec at `path` (also used by the image specs outside experiments).
    let optimizer path (o: Optimizer) =
        match o with
        | Optimizer.Adam a ->
            Check.positive (path + ".learningRate") a.LearningRate
            @ (if a.Beta1 >= 0.0 && a.Beta1 < 1.0 then [] else Check.fail (path + ".beta1") a.Beta1 "must lie in [0, 1)")
            @ (if a.Beta2 >= 0.0 && a.Beta2 < 1.0 then [] else Check.fail (path + ".beta2") a.Beta2 "must lie in [0, 1)")
            @ Check.nonNegative (path + ".weightDecay") a.WeightDecay
        | Optimizer.RmsProp r ->
            Check.positive (path + ".learningRate") r.LearningRate
            @ (if r.Alpha >= 0.0 && r.Alpha < 1.0 then [] else Check.fail (path + ".alpha") r.Alpha "must lie in [0, 1)")
            @ Check.nonNegative (path + ".weightDecay") r.WeightDecay

    /// Errors of a digit classifier's fields at `path` (`evaluation.classifier`, `ganflow data classifier`).
    let classifier path (c: GanFlow.Core.Images.DigitClassifier) =
        Check.atLeast (path + ".firstChannels") 1 c.FirstChannels
        @ Check.atLeast (path + ".secondChannels") 1 c.SecondChannels
        @ Check.atLeast (path + ".hidden") 1 c.Hidden
        @ Check.atLeast (path + ".epochs") 1 c.Epochs
        @ Check.atLeast (path + ".batchSize") 1 c.BatchSize
        @ optimizer (path + ".optimizer") c.Optimizer

    /// A learning-rate schedule of an optimiser whose rate is `peak`, which also drives a critic's optimiser whose rate
    /// is `criticPeak` (a cyclic schedule's base rate is one absolute rate for both, each cycle peaking at its own rate).
    let private schedule path (peak: float) (criticPeak: float option) (s: LearningRateSchedule) =
        match s with
        | LearningRateSchedule.Constant -> []
        | LearningRateSchedule.CyclicTriangular(baseLr, stepSizeUp) ->
            Check.positive (path + ".baseLearningRate") baseLr
            @ Check.atLeast (path + ".stepSizeUp") 1 stepSizeUp
            @ (if baseLr > peak then
                   Check.fail (path + ".baseLearningRate") baseLr "must not exceed the optimiser's learning rate (the cycle's peak)"
               else
                   match criticPeak with
                   | Some critic when baseLr > critic ->
                       Check.fail (path + ".baseLearningRate") baseLr
                           (sprintf "must not exceed the critic's learning rate %g either (the critic's cycle peaks there; above it the cycle runs upside down)" critic)
                   | _ -> [])
        | LearningRateSchedule.StepDecay(factor, every) ->
            (if factor > 0.0 && factor <= 1.0 then [] else Check.fail (path + ".factor") factor "must lie in (0, 1]")
            @ Check.atLeast (path + ".every") 1 every

    let private odeSolver path (s: OdeSolver) =
        match s with
        | OdeSolver.Rk4 steps -> Check.atLeast (path + ".steps") 1 steps
        | OdeSolver.Dopri5(rtol, atol, maxSteps) ->
            Check.positive (path + ".rtol") rtol
            @ Check.positive (path + ".atol") atol
            @ Check.atLeast (path + ".maxSteps") 1 maxSteps

    let private activation path (a: Activation) =
        match a with
        | Activation.LeakyRelu slope -> Check.nonNegative (path + ".negativeSlope") slope
        | _ -> []

    /// The shared fields of the coupling flows (RealNVP, NICE): layers, and the width, depth and activation of each net.
    let private couplings at (count: int) (width: int) (depth: int) (a: Activation) =
        Check.atLeast (at + ".couplings") 1 count
        @ Check.atLeast (at + ".width") 1 width
        @ Check.atLeast (at + ".depth") 2 depth
        @ activation (at + ".activation") a

    let private flowArchitecture path (a: FlowArchitecture) =
        match a with
        | FlowArchitecture.Gaussianization g ->
            let at = path + ".gaussianization"
            Check.atLeast (at + ".layers") 1 g.Layers
            @ Check.atLeast (at + ".anchors") 1 g.Anchors
            @ (match g.Bandwidth with
               | BandwidthInit.Reference -> []
               | BandwidthInit.Fixed scale -> Check.positive (at + ".bandwidth.scale") scale)
            @ (if g.CdfClamp > 0.0 && g.CdfClamp < 0.5 then [] else Check.fail (at + ".cdfClamp") g.CdfClamp "must lie in (0, 0.5)")
            @ Check.atLeast (at + ".inverseIterations") 1 g.InverseIterations
        | FlowArchitecture.RealNvp r -> couplings (path + ".realNvp") r.Couplings r.Width r.Depth r.Activation
        | FlowArchitecture.Nice n -> couplings (path + ".nice") n.Couplings n.Width n.Depth n.Activation
        | FlowArchitecture.Spline s ->
            let at = path + ".spline"
            Check.atLeast (at + ".layers") 1 s.Layers
            @ Check.atLeast (at + ".bins") 2 s.Bins
            @ (if s.Bins <= 999 then []
               else Check.fail (at + ".bins") s.Bins "must be at most 999: every bin keeps at least 1/1000 of the interval")
            @ Check.positive (at + ".bound") s.Bound
            @ Check.atLeast (at + ".width") 1 s.Width
            @ Check.atLeast (at + ".depth") 1 s.Depth
            @ activation (at + ".activation") s.Activation
        | FlowArchitecture.Ffjord f ->
            let at = path + ".ffjord"
            (if List.isEmpty f.Hidden then Check.fail (at + ".hidden") f.Hidden "must hold at least one width" else [])
            @ (f.Hidden |> List.mapi (fun i w -> Check.atLeast (sprintf "%s.hidden[%d]" at i) 1 w) |> List.concat)
            @ activation (at + ".activation") f.Activation
            @ Check.positive (at + ".endTime") f.EndTime
            @ odeSolver (at + ".solver") f.Solver
        | FlowArchitecture.OtFlow o ->
            let at = path + ".otFlow"
            Check.atLeast (at + ".width") 1 o.Width
            @ Check.atLeast (at + ".rank") 1 o.Rank
            @ odeSolver (at + ".solver") o.Solver
            @ Check.nonNegative (at + ".lossWeights.transport") o.LossWeights.Transport
            @ Check.positive (at + ".lossWeights.nll") o.LossWeights.Nll
            @ Check.nonNegative (at + ".lossWeights.hjb") o.LossWeights.Hjb

    let private lipschitz path (constraints: LipschitzConstraint list) =
        constraints
        |> List.mapi (fun i c ->
            let at = sprintf "%s.lipschitz[%d]" path i
            match c with
            | LipschitzConstraint.WeightClipping clip -> Check.positive (at + ".clip") clip
            | LipschitzConstraint.GradientPenalty weight -> Check.nonNegative (at + ".weight") weight
            | LipschitzConstraint.SpectralNorm iterations -> Check.atLeast (at + ".powerIterations") 1 iterations)
        |> List.concat

    /// The channel counts of seed 003's conv networks.
    let private channels path (first: int) (second: int) =
        Check.atLeast (path + ".firstChannels") 1 first @ Check.atLeast (path + ".secondChannels") 1 second

    let private adversarial path (a: Adversarial) =
        let critic, batchNormPath, batchNorm =
            match a.Critic with
            | CriticNetwork.Mlp m -> mlp (path + ".critic.mlp") m, path + ".critic.mlp.batchNorm", m.BatchNorm
            | CriticNetwork.Conv c ->
                channels (path + ".critic.conv") c.FirstChannels c.SecondChannels
                @ Check.nonNegative (path + ".critic.conv.leakySlope") c.LeakySlope
                @ (if a.Lipschitz |> List.exists (function LipschitzConstraint.SpectralNorm _ -> true | _ -> false) then
                       Check.fail (path + ".lipschitz") "SpectralNorm"
                           "acts on linear layers, and the critic is a conv network (critic = Conv): use GradientPenalty or WeightClipping"
                   else []),
                path + ".critic.conv.batchNorm", c.BatchNorm
        critic
        @ Check.atLeast (path + ".criticSteps") 1 a.CriticSteps
        @ optimizer (path + ".criticOptimizer") a.CriticOptimizer
        @ lipschitz path a.Lipschitz
        @ (if batchNorm
              && a.Lipschitz |> List.exists (function LipschitzConstraint.GradientPenalty w -> w > 0.0 | _ -> false) then
               Check.fail batchNormPath true "cannot be combined with a gradient penalty (the penalty is per sample)"
           else [])

    let private generator path (g: GeneratorSpec) =
        match g with
        | GeneratorSpec.Mlp m ->
            Check.atLeast (path + ".mlp.prior.dimension") 1 m.Prior.Dimension @ mlp (path + ".mlp.network") m.Network
        | GeneratorSpec.Flow f -> flowArchitecture (path + ".flow.architecture") f.Architecture
        | GeneratorSpec.Conv c -> Check.atLeast (path + ".conv.latent") 1 c.Latent @ channels (path + ".conv") c.FirstChannels c.SecondChannels

    /// Combinations that cannot work, named by the field and its value: a likelihood objective without a density, an
    /// adversarial one whose generator has no gradients through z.
    let private combination path (m: Model) =
        let objectiveName =
            match m.Objective with
            | Objective.MaximumLikelihood -> "MaximumLikelihood"
            | Objective.Adversarial _ -> "Adversarial"
            | Objective.Hybrid _ -> "Hybrid"
            | Objective.Elbo _ -> "Elbo"
        (match m.Objective, m.Generator with
         | (Objective.MaximumLikelihood | Objective.Hybrid _), GeneratorSpec.Mlp _ ->
             Check.fail (path + ".objective") objectiveName
                 "needs a generator with a density, and model.generator is an MLP, which has none (use a flow generator, or an adversarial objective)"
         | (Objective.MaximumLikelihood | Objective.Hybrid _), GeneratorSpec.Conv _ ->
             Check.fail (path + ".objective") objectiveName
                 "needs a generator with a density, and model.generator is a conv generator, which has none (use a flow generator, an adversarial objective or Elbo)"
         | Objective.Elbo _, GeneratorSpec.Flow _ ->
             Check.fail (path + ".objective") objectiveName
                 "needs an MLP or conv generator as its decoder, and model.generator is a flow (train a flow by MaximumLikelihood instead)"
         | Objective.Elbo _, GeneratorSpec.Mlp g when g.Prior.Kind <> PriorKind.StandardGaussian ->
             Check.fail (path + ".generator.mlp.prior.kind") g.Prior.Kind
                 "must be StandardGaussian with model.objective = Elbo (the ELBO's KL term is taken to N(0, I) in closed form)"
         | Objective.Elbo { Likelihood = DecoderLikelihood.Bernoulli }, (GeneratorSpec.Mlp _ | GeneratorSpec.Flow _) ->
             Check.fail (path + ".objective.elbo.likelihood") "Bernoulli"
                 "needs a generator whose output is a probability, and model.generator is not the conv generator (whose output is a sigmoid): use Gaussian"
         | Objective.Elbo { Encoder = EncoderNetwork.Conv e }, GeneratorSpec.Conv g when e.Latent <> g.Latent ->
             Check.fail (path + ".objective.elbo.encoder.conv.latent") e.Latent
                 (sprintf "must equal model.generator.conv.latent = %d (the encoder infers the generator's latent)" g.Latent)
         | Objective.Elbo { Encoder = EncoderNetwork.Conv e }, GeneratorSpec.Mlp g when e.Latent <> g.Prior.Dimension ->
             Check.fail (path + ".objective.elbo.encoder.conv.latent") e.Latent
                 (sprintf "must equal model.generator.mlp.prior.dimension = %d (the encoder infers the generator's latent)" g.Prior.Dimension)
         | _ -> [])
        @ (match m.Init, m.Generator with
           | GeneratorInit.FromVae folder, _ when System.String.IsNullOrWhiteSpace folder ->
               Check.fail (path + ".init.fromVae") folder "must name the run folder of a completed VAE run"
           | GeneratorInit.FromVae _, _ when m.Objective.IsElbo ->
               Check.fail (path + ".init") "FromVae" "starts a generator from a VAE's decoder, and model.objective = Elbo trains a VAE, whose weights start at random"
           | GeneratorInit.FromVae _, GeneratorSpec.Flow _ ->
               Check.fail (path + ".init") "FromVae" "starts a generator from a VAE's decoder, and model.generator is a flow, which no VAE decodes with"
           | _ -> [])
        @ (match Model.adversarial m with
           | Some _ when not (Model.sampleGradients m) ->
               Check.fail (path + ".generator.flow.architecture") "Gaussianization"
                   (sprintf "cannot be trained by the %s objective: its sampling direction is a Newton/bisection search with no gradients through z" objectiveName)
           | _ -> [])

    let private model path (m: Model) =
        generator (path + ".generator") m.Generator
        @ (match m.Objective with
           | Objective.MaximumLikelihood -> []
           | Objective.Adversarial a -> adversarial (path + ".objective.adversarial") a
           | Objective.Hybrid(a, lambda) ->
               adversarial (path + ".objective.hybrid.adversarial") a @ Check.nonNegative (path + ".objective.hybrid.lambda") lambda
           | Objective.Elbo e ->
               (match e.Encoder with
                | EncoderNetwork.Mlp m -> mlp (path + ".objective.elbo.encoder.mlp") m
                | EncoderNetwork.Conv c ->
                    Check.atLeast (path + ".objective.elbo.encoder.conv.latent") 1 c.Latent
                    @ channels (path + ".objective.elbo.encoder.conv") c.FirstChannels c.SecondChannels)
               @ (match e.Likelihood with
                  | DecoderLikelihood.Gaussian std -> Check.positive (path + ".objective.elbo.likelihood.std") std
                  | DecoderLikelihood.Bernoulli -> []))
        @ combination path m
        @ optimizer (path + ".optimizer") m.Optimizer
        @ schedule (path + ".schedule") m.Optimizer.LearningRate
            (match m.Objective with
             | Objective.Adversarial a
             | Objective.Hybrid(a, _) -> Some a.CriticOptimizer.LearningRate
             | _ -> None)
            m.Schedule

    /// Every error of a flow spec, with field paths under `model` (the flow as a model trained by maximum likelihood).
    let flowErrors (f: Flow) = model "model" (Model.Flow f)

    let private name (value: string) =
        if System.String.IsNullOrWhiteSpace value then Check.fail "name" value "must not be empty"
        elif value |> Seq.forall (fun c -> System.Char.IsAsciiLetterLower c || System.Char.IsAsciiDigit c || c = '-') then []
        else Check.fail "name" value "may hold only lower-case letters, digits and dashes"

    /// The conv networks of the model (generator, critic, encoder) by their field paths.
    let private convNetworks (m: Model) =
        [ match m.Generator with
          | GeneratorSpec.Conv _ -> "model.generator.conv"
          | _ -> ()
          match m.Objective with
          | Objective.Adversarial { Critic = CriticNetwork.Conv _ } -> "model.objective.adversarial.critic.conv"
          | Objective.Hybrid({ Critic = CriticNetwork.Conv _ }, _) -> "model.objective.hybrid.adversarial.critic.conv"
          | _ -> ()
          match m.Objective with
          | Objective.Elbo { Encoder = EncoderNetwork.Conv _ } -> "model.objective.elbo.encoder.conv"
          | _ -> () ]

    /// Conv networks read square images whose side two stride-2 layers halve twice: image data of a side divisible by 4.
    let private convData (e: Experiment) =
        convNetworks e.Model
        |> List.collect (fun at ->
            match e.Data with
            | DataSource.Images images when images.Side >= 4 && images.Side % 4 = 0 -> []
            | DataSource.Images images ->
                Check.fail "data.images.side" images.Side (sprintf "must be a multiple of 4 for %s (two stride-2 layers halve it twice)" at)
            | _ -> Check.fail at "Conv" "reads square images, and data is not an image source (data.images): use an MLP")

    /// The estimators' fields, and whether the model and the finite training set can feed them.
    let private estimators (e: Experiment) =
        let noGradients at =
            if Model.sampleGradients e.Model then []
            else Check.fail at "Gaussianization" "needs gradients through z, and model.generator.flow.architecture = Gaussianization samples by a bisection search without them"
        let split at (points: int) (name: string) (available: FiniteSample -> int) =
            match DataSource.finiteSample e.Data with
            | Some s when points > available s -> Check.fail at points (sprintf "exceeds data.sample.%s (%d), the split it is taken from" name (available s))
            | _ -> []
        (match e.Evaluation.Ais with
         | Some a ->
             let at = "evaluation.ais"
             Check.atLeast (at + ".chains") 1 a.Chains
             @ Check.atLeast (at + ".intermediates") 1 a.Intermediates
             @ Check.atLeast (at + ".leapfrogSteps") 1 a.LeapfrogSteps
             @ Check.positive (at + ".initialStepSize") a.InitialStepSize
             @ Check.openUnit (at + ".targetAcceptance") a.TargetAcceptance
             @ Check.positive (at + ".observationStd") a.ObservationStd
             @ (match a.Schedule with
                | AnnealingSchedule.Sigmoid sharpness -> Check.positive (at + ".schedule.sharpness") sharpness
                | AnnealingSchedule.Linear -> [])
             @ Check.atLeast (at + ".points") 1 a.Points
             @ Check.atLeast (at + ".simulatedPoints") 0 a.SimulatedPoints
             @ split (at + ".points") a.Points "testPoints" _.TestPoints
             @ noGradients at
             @ (match e.Model.Generator with
                | GeneratorSpec.Mlp m when m.Prior.Kind = PriorKind.SymmetricUniform ->
                    Check.fail at "SymmetricUniform" "needs a prior with a density everywhere (HMC moves z freely), and model.generator.mlp.prior.kind = SymmetricUniform has bounded support"
                | _ -> [])
         | None -> [])
        @ (match e.Evaluation.Parzen with
           | Some p ->
               Check.atLeast "evaluation.parzen.samples" 1 p.Samples
               @ Check.atLeast "evaluation.parzen.candidates" 2 p.Candidates
               @ Check.atLeast "evaluation.parzen.points" 1 p.Points
               @ split "evaluation.parzen.points" p.Points "testPoints" _.TestPoints
               @ split "evaluation.parzen.points" p.Points "validationPoints" _.ValidationPoints
               @ (match e.Data with
                  | DataSource.Images { Data = { Split = GanFlow.Core.Images.MnistSplit.Seed003 } } ->
                      Check.fail "evaluation.parzen" "Some" "chooses its bandwidth on the validation split, and data.images.data.split = Seed003 holds out none: use Seed001"
                  | _ -> [])
           | None -> [])
        @ (match e.Evaluation.Jacobian with
           | Some j -> Check.atLeast "evaluation.jacobian.draws" 1 j.Draws @ noGradients "evaluation.jacobian"
           | None -> [])
        @ (match e.Evaluation.Classifier, e.Data with
           | None, _ -> []
           | Some c, DataSource.Images images when images.Side >= 4 && images.Side % 4 = 0 -> classifier "evaluation.classifier" c
           | Some _, DataSource.Images images ->
               Check.fail "data.images.side" images.Side "must be a multiple of 4 for evaluation.classifier (two 2×2 poolings)"
           | Some _, _ ->
               Check.fail "evaluation.classifier" "Some" "classifies digit images, and data is not an image source (data.images): remove it")

    /// Every error of an experiment spec.
    let errors (e: Experiment) : SpecError list =
        let dataErrors = DataSource.errors "data" e.Data
        name e.Name
        @ dataErrors
        @ (match e.Data, e.Model.Generator with
           | DataSource.Images images, GeneratorSpec.Flow _ when images.Preprocessing = GanFlow.Core.Images.ImagePreprocessing.Scaled01 ->
               Check.fail "data.images.preprocessing" "Scaled01"
                   "leaves the images on 256 points per pixel, where a flow's density grows without bound, and model.generator is a flow: use DequantizedLogit"
           | _ -> [])
        @ model "model" e.Model
        @ convData e
        @ estimators e
        @ Check.atLeast "budget.steps" 1 e.Budget.Steps
        @ (match e.Budget.Epochs with
           | Some epochs when not (DataSource.isFinite e.Data) ->
               Check.fail "budget.epochs" epochs "counts passes over a finite training split, and data draws fresh points from a law (data.law): give budget.steps"
           | Some epochs -> Check.atLeast "budget.epochs" 1 epochs
           | None -> [])
        @ Check.atLeast "budget.batchSize" 2 e.Budget.BatchSize
        @ Check.atLeast "evaluation.every" 1 e.Evaluation.Every
        @ Check.atLeast "evaluation.samples" 2 e.Evaluation.Samples
        @ Check.atLeast "evaluation.finalSamples" 2 e.Evaluation.FinalSamples
        // Every count that becomes count × d values of one array (a batch, evaluation samples, the estimators' samples
        // and points), once the data's dimension is known.
        @ (match dataErrors with
           | [] ->
               let oneArray field count = FiniteSample.oneArray field (DataSource.dimension e.Data) count
               oneArray "budget.batchSize" e.Budget.BatchSize
               @ oneArray "evaluation.samples" e.Evaluation.Samples
               @ oneArray "evaluation.finalSamples" e.Evaluation.FinalSamples
               @ (e.Evaluation.Parzen |> Option.map (fun p -> oneArray "evaluation.parzen.samples" p.Samples @ oneArray "evaluation.parzen.points" p.Points) |> Option.defaultValue [])
               @ (e.Evaluation.Ais |> Option.map (fun a -> oneArray "evaluation.ais.points" a.Points) |> Option.defaultValue [])
           | _ -> [])
        @ (match e.Evaluation.Checkpoints with
           | CheckpointCadence.AtEveryEvaluation -> []
           | CheckpointCadence.EverySteps steps -> Check.atLeast "evaluation.checkpoints.steps" 1 steps
           | CheckpointCadence.EverySeconds seconds -> Check.positive "evaluation.checkpoints.seconds" seconds)
        @ (match e.Evaluation.Bandwidth with
           | BandwidthRule.SamplesPerBand count -> Check.atLeast "evaluation.bandwidth.count" 1 count
           | BandwidthRule.HeldOutLikelihood candidates -> Check.atLeast "evaluation.bandwidth.candidates" 2 candidates
           | BandwidthRule.Fixed bandwidth -> Check.positive "evaluation.bandwidth.bandwidth" bandwidth)

    /// Ok with the experiment, or every error.
    let validate (e: Experiment) = Validate.toResult e (errors e)

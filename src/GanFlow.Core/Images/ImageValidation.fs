namespace GanFlow.Core.Images

open GanFlow.Core.Specs

/// Checks on image experiments, before any compute; every error names the field and the value.
module ImageValidation =

    let private generator (path: string) (g: ConvGenerator) =
        Check.atLeast (path + ".latent") 1 g.Latent
        @ Check.atLeast (path + ".firstChannels") 1 g.FirstChannels
        @ Check.atLeast (path + ".secondChannels") 1 g.SecondChannels

    let private discriminator (path: string) (d: ConvDiscriminator) =
        Check.atLeast (path + ".firstChannels") 1 d.FirstChannels
        @ Check.atLeast (path + ".secondChannels") 1 d.SecondChannels
        @ Check.nonNegative (path + ".leakySlope") d.LeakySlope

    let private adam (path: string) (a: GanFlow.Core.Training.Adam) =
        Check.positive (path + ".learningRate") a.LearningRate
        @ (if a.Beta1 >= 0.0 && a.Beta1 < 1.0 then [] else Check.fail (path + ".beta1") a.Beta1 "must lie in [0, 1)")
        @ (if a.Beta2 >= 0.0 && a.Beta2 < 1.0 then [] else Check.fail (path + ".beta2") a.Beta2 "must lie in [0, 1)")
        @ Check.nonNegative (path + ".weightDecay") a.WeightDecay

    let private init (path: string) (i: GeneratorInit) =
        match i with
        | GeneratorInit.Random -> []
        | GeneratorInit.FromVae folder when System.String.IsNullOrWhiteSpace folder ->
            Check.fail (path + ".fromVae") folder "names no VAE run folder (give --vae DIR)"
        | GeneratorInit.FromVae _ -> []

    let private model (m: ImageModel) =
        match m with
        | ImageModel.Vae v ->
            generator "model.vae.generator" v.Generator
            @ Check.atLeast "model.vae.encoder.latent" 1 v.Encoder.Latent
            @ Check.atLeast "model.vae.encoder.firstChannels" 1 v.Encoder.FirstChannels
            @ Check.atLeast "model.vae.encoder.secondChannels" 1 v.Encoder.SecondChannels
            @ (if v.Encoder.Latent = v.Generator.Latent then []
               else Check.fail "model.vae.encoder.latent" v.Encoder.Latent (sprintf "must equal model.vae.generator.latent (%d)" v.Generator.Latent))
            @ adam "model.vae.optimizer" v.Optimizer
            @ Check.atLeast "model.vae.batchSize" 1 v.BatchSize
        | ImageModel.Dcgan d ->
            generator "model.dcgan.generator" d.Generator
            @ discriminator "model.dcgan.discriminator" d.Discriminator
            @ init "model.dcgan.init" d.Init
            @ adam "model.dcgan.optimizer" d.Optimizer
            @ Check.atLeast "model.dcgan.batchSize" 1 d.BatchSize
        | ImageModel.Wgan w ->
            generator "model.wgan.generator" w.Generator
            @ discriminator "model.wgan.critic" w.Critic
            @ init "model.wgan.init" w.Init
            @ Check.positive "model.wgan.optimizer.learningRate" w.Optimizer.LearningRate
            @ (if w.Optimizer.Alpha >= 0.0 && w.Optimizer.Alpha < 1.0 then [] else Check.fail "model.wgan.optimizer.alpha" w.Optimizer.Alpha "must lie in [0, 1)")
            @ Check.positive "model.wgan.clip" w.Clip
            @ Check.atLeast "model.wgan.criticSteps" 1 w.CriticSteps
            @ Check.atLeast "model.wgan.batchSize" 1 w.BatchSize

    /// Every error of the spec itself (no file is read).
    let errors (e: ImageExperiment) =
        (if System.String.IsNullOrWhiteSpace e.Name then Check.fail "name" e.Name "must not be empty" else [])
        @ (if System.String.IsNullOrWhiteSpace e.Data.Folder then Check.fail "data.folder" e.Data.Folder "names no folder (give --data DIR)" else [])
        @ (match e.TrainImages with
           | Some n when n < e.Model.BatchSize -> Check.fail "trainImages" n (sprintf "must be >= the batch size (%d)" e.Model.BatchSize)
           | _ -> [])
        @ model e.Model
        @ (match e.Budget with
           | ImageBudget.Epochs n -> Check.atLeast "budget.epochs" 1 n
           | ImageBudget.Steps n -> Check.atLeast "budget.steps" 1 n)
        @ Check.atLeast "evaluation.every" 1 e.Evaluation.Every
        @ Check.atLeast "evaluation.energyBatches" 1 e.Evaluation.EnergyBatches
        @ Check.atLeast "evaluation.energyBatchSize" 2 e.Evaluation.EnergyBatchSize
        @ Check.atLeast "evaluation.testImages" 1 e.Evaluation.TestImages
        @ Check.atLeast "pictures.gridSide" 1 e.Pictures.GridSide
        @ Check.atLeast "pictures.interpolationSteps" 2 e.Pictures.InterpolationSteps
        @ Check.atLeast "pictures.posteriorImages" 0 e.Pictures.PosteriorImages
        @ Check.atLeast "pictures.posteriorPoints" 3 e.Pictures.PosteriorPoints
        @ Check.positive "pictures.posteriorExtent" e.Pictures.PosteriorExtent

    /// Errors of the spec against the images it would train on (checked after loading, before training): the
    /// architecture halves the side twice, so images must be square with a side divisible by 4; the splits must hold
    /// enough images for a minibatch and an energy batch.
    let dataErrors (e: ImageExperiment) (splits: ImageSplits) =
        let train = splits.Train
        let size = sprintf "%d×%d" train.Rows train.Columns
        (if train.Rows <> train.Columns || train.Rows < 4 || train.Rows % 4 <> 0 then
             Check.fail "data (image size)" size "images must be square with a side divisible by 4 (two stride-2 layers halve it twice; MNIST 28×28)"
         else [])
        @ (if splits.Test.Rows <> train.Rows || splits.Test.Columns <> train.Columns then
               Check.fail "data (test image size)" (sprintf "%d×%d" splits.Test.Rows splits.Test.Columns) (sprintf "must match the training images (%s)" size)
           else [])
        @ (let n = defaultArg e.TrainImages train.Count |> min train.Count
           if n < e.Model.BatchSize then Check.fail "data (training images)" n (sprintf "must be >= the batch size (%d)" e.Model.BatchSize) else [])
        @ (if splits.Test.Count < e.Evaluation.EnergyBatchSize then
               Check.fail "data (test images)" splits.Test.Count (sprintf "must be >= evaluation.energyBatchSize (%d)" e.Evaluation.EnergyBatchSize)
           else [])

    /// Errors of a GAN whose generator starts from a VAE run, against that run's spec: the same generator (latent size
    /// first, since that is the usual mistake).
    let vaeInitErrors (field: string) (gan: ConvGenerator) (vae: ImageExperiment) =
        match vae.Model with
        | ImageModel.Vae v when v.Generator.Latent <> gan.Latent ->
            Check.fail field (sprintf "latent %d" v.Generator.Latent) (sprintf "the VAE's generator has latent size %d, this generator %d: they must match" v.Generator.Latent gan.Latent)
        | ImageModel.Vae v when v.Generator <> gan ->
            Check.fail field (sprintf "%A" v.Generator) (sprintf "the VAE's generator differs from this one (%A)" gan)
        | ImageModel.Vae _ -> []
        | other -> Check.fail field other.Family "is not a VAE run"

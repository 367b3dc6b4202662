module GanFlow.Cli.Program
[<EntryPoint>]
let main _ = 0

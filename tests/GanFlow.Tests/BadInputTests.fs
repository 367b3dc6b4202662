/// Bad input as a new user gives it (issue 16's list): each refused with exit 2 and a message that names the flag or
/// field, the value and what is allowed, before any compute, never a stack trace; a diverging computation ends with
/// exit 3 and says so.
module GanFlow.Tests.BadInputTests

open System
open System.IO
open Expecto
open GanFlow.Store

/// The output has no .NET exception type name and no stack trace.
let private plain (output: string) =
    for marker in [ "Exception"; "   at "; "(Parameter '" ] do
        Expect.isFalse (output.Contains marker) (sprintf "no '%s' in the output:\n%s" marker output)

/// Runs `ganflow ARGS`, expects `code`, and returns the output (checked to be plain words).
let private expectExit (code: int) (args: string list) =
    let exit, output = CliProcess.run args
    Expect.equal exit code (sprintf "exit code of ganflow %s:\n%s" (String.concat " " args) output)
    plain output
    output

[<Tests>]
let tests =
    testList "bad input" [
        test "5: a dynamics step so large that the trajectory diverges ends with exit 3 and its outcome" {
            for rule in [ [ "--dynamics"; "optimal" ]; [ "--eta-d"; "0.1"; "--intervals"; "-1,0,0.5,1" ] ] do
                let output = expectExit 3 ([ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--eta-g"; "1e308" ] @ rule)
                Expect.stringContains output "outcome = oscillation" "the outcome is printed"
                Expect.stringContains output "diverged_at_step = 1" "the step where it diverged"
                Expect.stringContains output "diverged" "said in words"
        }

        test "6: a full disk is said in words, without .NET type names" {
            let full = IOException("No space left on device : '/runs/x/.metrics.csv.1234.tmp'", 28)
            let text = FailureText.Of full
            Expect.stringStarts text "no space left on the device" "the root failure in words"
            Expect.stringContains text "/runs/x/.metrics.csv.1234.tmp" "the file"
            Expect.isFalse (text.Contains "IOException") "no type name"
            Expect.equal (FailureText.Of(AggregateException(full))) text "the root of an aggregate"
            Expect.stringStarts (FailureText.Of(UnauthorizedAccessException "Access to the path '/x' is denied.")) "permission denied" "a refused permission"
        }

        test "9: ganflow data mnist --from a bad tarball creates nothing" {
            let root = TestFolders.fresh "mnist-refused"
            Directory.CreateDirectory root |> ignore
            let tarball = Path.Combine(root, "bad.tgz")
            File.WriteAllText(tarball, "not a tarball")
            let out = Path.Combine(root, "m")
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--from"; tarball ]
            Expect.stringContains output "bad.tgz" "the tarball is named"
            Expect.isFalse (Directory.Exists out) "no folder was created"
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--from"; root ]
            Expect.stringContains output "is a folder, not a file" "a folder where a file is expected"
            Expect.isFalse (Directory.Exists out) "still no folder"
        }

        test "10: an unknown flag is named as unknown, for the subcommand it was given to" {
            let out = TestFolders.fresh "unknown-flag"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--foo" ]
            Expect.stringContains output "unknown option --foo for `ganflow run`" "named"
            Expect.isFalse (output.Contains "should precede") "not Argu's misleading message"
            Expect.isFalse (output.Contains "USAGE") "no wall of usage text"
            Expect.isFalse (Directory.Exists out) "nothing created"
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--bogus" ]
            Expect.stringContains output "unknown option --bogus for `ganflow data mnist`" "a nested subcommand"
        }

        test "10: a number out of range says the allowed range" {
            let out = TestFolders.fresh "range"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--steps"; "1000000000000" ]
            Expect.stringContains output "--steps 1000000000000: must be a whole number from 1 to 2147483647" "run --steps"
            let output = expectExit 2 [ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--dynamics"; "optimal"; "--steps"; "1000000000000" ]
            Expect.stringContains output "must be a whole number from 1 to 2147483647" "dynamics --steps"
            Expect.isFalse (Directory.Exists out) "nothing created"
        }

        test "10: a folder where a file is expected, and an unknown device, are said plainly" {
            let folder = TestFolders.fresh "a-folder"
            Directory.CreateDirectory folder |> ignore
            let output = expectExit 2 [ "run"; "--spec"; folder; "--out"; TestFolders.fresh "unused" ]
            Expect.stringContains output "is a folder, not a file" "--spec FOLDER"
            let out = TestFolders.fresh "device"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--device"; "tpu" ]
            Expect.stringContains output "unknown device 'tpu': expected one of cpu, cuda, auto" "--device tpu"
        }

        test "10: no 'running …' banner precedes a refusal" {
            let foreign = TestFolders.fresh "foreign"
            Directory.CreateDirectory foreign |> ignore
            File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine")
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; foreign ]
            Expect.isFalse (output.Contains "running ") (sprintf "no banner before the refusal:\n%s" output)
            Expect.equal (File.ReadAllText(Path.Combine(foreign, "notes.txt"))) "mine" "the user's file is untouched"
        }
    ]

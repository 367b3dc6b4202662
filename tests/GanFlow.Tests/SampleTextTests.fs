module GanFlow.Tests.SampleTextTests

open Expecto
open GanFlow.Core.Metrics

[<Tests>]
let tests =
    testList "sample text" [
        test "a number is read in the invariant culture, signs, exponents and surrounding blanks allowed" {
            Expect.equal ([ "1.5"; "-2"; "3e-2"; "  +4.25  "; "-2.5E-3" ] |> List.map SampleText.number) [ Ok 1.5; Ok -2.0; Ok 0.03; Ok 4.25; Ok -0.0025 ] "values"
        }
        test "words, an empty text and a decimal comma are not numbers" {
            for text in [ "abc"; ""; "1,5"; "value" ] do
                Expect.equal (SampleText.number text) (Error "is not a number") text
        }
        test "NaN, infinities and overflow are not finite numbers" {
            for text in [ "NaN"; "Infinity"; "-Infinity"; "1e999" ] do
                Expect.equal (SampleText.number text) (Error "is not a finite number") text
        }
    ]

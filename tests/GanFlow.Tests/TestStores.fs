/// The search stores tests run against: a SQLite file in a scratch folder, and a fresh database on the PostgreSQL server
/// `.ci/postgres start DIR` started (its URL in GANFLOW_TEST_POSTGRES, the superuser's password file in
/// GANFLOW_TEST_POSTGRES_PASSWORD_FILE). Without a server, PostgreSQL tests are skipped, except under CI (CI=true), where
/// a missing server is a failure.
module GanFlow.Tests.TestStores

open System
open Expecto
open Npgsql
open GanFlow.Store

/// Whether the tests run under CI.
let underCi = String.Equals(Environment.GetEnvironmentVariable "CI", "true", StringComparison.OrdinalIgnoreCase)

/// The test server's URL (no password) and password file, or why there is none.
let server =
    match Environment.GetEnvironmentVariable "GANFLOW_TEST_POSTGRES", Environment.GetEnvironmentVariable "GANFLOW_TEST_POSTGRES_PASSWORD_FILE" with
    | null, _
    | "", _ -> Error "no PostgreSQL test server: GANFLOW_TEST_POSTGRES is not set (`eval $(.ci/postgres start DIR)` starts one)"
    | url, (null | "") -> Ok(url, None)
    | url, file -> Ok(url, Some file)

/// The test server's location and password file (fails the test when there is none).
let private serverOrFail () =
    match server with
    | Ok(url, file) -> (SearchStoreLocation.Parse(url, null) :?> SearchStoreLocation.Postgres), file
    | Error why -> failtest why

/// A superuser connection to the test server's database `database`.
let superuser (database: string) =
    let location, file = serverOrFail ()
    let builder =
        NpgsqlConnectionStringBuilder(Host = location.Host, Port = location.Port, Database = database, Username = (match location.User with null -> "postgres" | user -> user), Pooling = false)
    file |> Option.iter (fun f -> builder.Password <- SearchStoreLocation.ReadPasswordFile f)
    let connection = new NpgsqlConnection(builder.ConnectionString)
    connection.Open()
    connection

/// Runs one SQL statement as the superuser in `database`.
let execute (database: string) (sql: string) =
    use connection = superuser database
    use command = new NpgsqlCommand(sql, connection)
    command.ExecuteNonQuery() |> ignore

/// The value of a one-value query as the superuser in `database`.
let scalar (database: string) (sql: string) =
    use connection = superuser database
    use command = new NpgsqlCommand(sql, connection)
    command.ExecuteScalar()

/// A fresh, empty database on the test server: its store URL (no password) and the password file.
let freshDatabase () =
    let location, file = serverOrFail ()
    let name = sprintf "ganflow_test_%s" (Guid.NewGuid().ToString("N").Substring(0, 12))
    execute location.Database (sprintf "CREATE DATABASE %s" name)
    let url = SearchStoreLocation.Postgres(location.Host, location.Port, name, location.User, []).Url
    url, file, name

/// A test that needs the PostgreSQL server: skipped when there is none outside CI, failed under CI.
let testPostgres (name: string) (body: unit -> unit) =
    match server with
    | Ok _ -> test name { body () }
    | Error why when underCi -> test name { failtestf "%s (under CI the PostgreSQL lane is required)" why }
    | Error why -> ptestCase (sprintf "%s [skipped: %s]" name why) ignore

/// A store backend for the contract tests: its name and a way to open a fresh store location (the `--store` value and the
/// password file, if any).
type Backend =
    { Name: string
      Fresh: unit -> string * string option }

/// SQLite: a file in a fresh scratch folder.
let sqlite =
    { Name = "SQLite"
      Fresh =
        fun () ->
            let folder = TestFolders.fresh "store"
            IO.Directory.CreateDirectory folder |> ignore
            "sqlite:" + SqliteSearchStore.FileOf folder, None }

/// PostgreSQL: a fresh database on the test server.
let postgres =
    { Name = "PostgreSQL"
      Fresh = fun () -> let url, file, _ = freshDatabase () in url, file }

/// The same test on both backends (the PostgreSQL one as `testPostgres` says).
let onBoth (name: string) (body: Backend -> unit) =
    [ test (sprintf "%s (%s)" name sqlite.Name) { body sqlite }
      testPostgres (sprintf "%s (%s)" name postgres.Name) (fun () -> body postgres) ]

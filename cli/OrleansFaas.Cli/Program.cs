using OrleansFaas.Cli;

return await CliApplication.RunAsync(args);

// A WASI command that exits with the status given as its one argument, through process.exit (proc_exit),
// so that the conformance tests can check which statuses reach the caller on each host and build.
const args = process.argv;
if (args.length != 2) {
  process.stderr.write("exit-code: give the status to exit with, e.g. 3\n");
  process.exit(2);
}
process.exit(I32.parseInt(args[1]));

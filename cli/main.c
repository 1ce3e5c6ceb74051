/* uniscope: subcommand dispatch, help and errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct cli_command commands[] = {
	{ "run", cmd_run,
	  "run [--platform qemu|xen] [--name N] [--mem SIZE] [--accel tcg|kvm] [--gdb tcp:HOST:PORT|unix:PATH]\n"
	  "           [--gdb-allow-remote] [--gdb-kill] [--trace FILE] [--append ARGS] [--core-on-crash]\n"
	  "           [--detach] [--rootfs DIR] [--env K=V]... [--net] [--port [HOSTADDR:]HOSTPORT:GUESTPORT]...\n"
	  "           [--record DIR] IMAGE [-- QEMU-ARGS | -- GUEST-CMDLINE]",
	  "boot an image under QEMU (or as a Xen PVH domain) in a session, console on the terminal",
	  "  --platform P    qemu (default) or xen: a PVH domain created with xl from dom0, its\n"
	  "                  channel on the domain's console; words after -- are the guest's\n"
	  "                  command line (the session dir keeps xl.cfg and xl.log)\n"
	  "  --name N        session name (default: the image's file name, made unique; under\n"
	  "                  Xen also the domain's name)\n"
	  "  --mem SIZE      guest memory, e.g. 128M or 1G (default 128M)\n"
	  "  --accel A       kvm or tcg (default: kvm when /dev/kvm is usable)\n"
	  "  --gdb ADDR      serve the in-guest GDB stub on ADDR too (SESSION_DIR/gdb.sock always);\n"
	  "                  a loopback TCP port serves only connections of this user\n"
	  "  --gdb-allow-remote  let --gdb listen beyond loopback: no authentication there\n"
	  "  --gdb-kill      a debugger's kill (GDB `kill`, LLDB quitting without detach) ends the\n"
	  "                  image; by default it detaches and the image keeps running\n"
	  "  --trace FILE    record trace records streamed by the guest into FILE\n"
	  "  --append ARGS   the guest's command line: the libOS's options (key=value), then\n"
	  "                  the program's arguments (argv[1]...; \"--\" ends the options)\n"
	  "  --env K=V       set K in the program's environment (repeatable)\n"
	  "  --rootfs DIR    DIR, packed as a cpio archive, is the read-only root file system\n"
	  "                  (the PVH module: QEMU -initrd, xl ramdisk)\n"
	  "  --net           a virtio-net device on QEMU's user networking (the guest gets\n"
	  "                  10.0.2.15 by DHCP; the host is 10.0.2.2)\n"
	  "  --port SPEC     forward the host's TCP port to the guest's: [HOSTADDR:]HOSTPORT:GUESTPORT,\n"
	  "                  HOSTADDR 127.0.0.1 unless given (repeatable; implies --net)\n"
	  "  Standard input goes to the program's stdin (end of file ends it).\n"
	  "  --detach        run in the background and print the session's name; `uniscope stop\n"
	  "                  NAME` stops it. When its guest ends by itself the session is kept\n"
	  "                  (status, console log, core, report) until `uniscope rm NAME`:\n"
	  "                  see ls --all, wait, log\n"
	  "  --core-on-crash when the guest dies, keep it up (paused) while its core and crash\n"
	  "                  report are written, print the report, and leave NAME.core and\n"
	  "                  NAME.report in the current directory (detached: core.elf and\n"
	  "                  report.txt in the session directory)\n"
	  "  --record DIR    record the run (QEMU record/replay under TCG: every input with\n"
	  "                  its instruction count) into DIR, for `uniscope replay DIR`\n"
	  "IMAGE must be a PVH image (an ELF executable with a Xen PVH entry note, such as the\n"
	  "libOS links); anything else is refused before QEMU starts. Exits with the guest's exit\n"
	  "status (125 when it panicked or faulted; 1 when QEMU failed, with QEMU's error).\n"
	  "A foreground session leaves nothing behind; Ctrl-C stops it." },
	{ "ls", cmd_ls, "ls [--all] [--json]", "list running sessions (--all: ended ones too) and Xen domains",
	  "  --all, -a   also the sessions that ended (kept by run --detach until uniscope rm):\n"
	  "              STATUS says how (exited N, panic, fault, assert, stack-overflow, crash,\n"
	  "              killed (SIGNAL), failed, lost), a line below says where the core and\n"
	  "              the crash report are\n"
	  "  --json      one JSON array; ended sessions carry how, exit_status, core, report\n"
	  "  A session whose launcher vanished is recorded as ended (lost) and its QEMU stopped.\n"
	  "  NET says a session's network: '-' none, 'user' QEMU's user networking, or its\n"
	  "  forwards HOSTADDR:HOSTPORT->GUESTPORT.\n"
	  "  In dom0 of a Xen host the domains follow the sessions: id, name, state, memory,\n"
	  "  vCPUs and the TARGET that names them (xen:DOMID; xen:NAME works too)." },
	{ "stop", cmd_stop, "stop NAME", "stop a session's image, end the session and remove it",
	  "  Its directory goes (console log included); a session that already ended is left\n"
	  "  alone (uniscope rm removes it)." },
	{ "wait", cmd_wait, "wait NAME [--timeout SECONDS]",
	  "block until a session's guest ends; exit with its exit status",
	  "  How it ended goes to stderr. --timeout: give up after SECONDS (exit 124).\n"
	  "  A session stopped meanwhile exits 143; a foreground session leaves no status." },
	{ "rm", cmd_rm, "rm [--force] NAME...", "remove ended sessions: status, console log, core, report",
	  "  --force, -f   a running session is stopped (and so removed) instead of refused" },
	{ "gdb", cmd_gdb, "gdb NAME [GDB-ARGS]", "start GDB on a session's image, already connected",
	  "  On an ended session that kept a core (run --detach --core-on-crash): GDB on its core." },
	{ "ps", cmd_ps, "ps TARGET [--json] [--no-pause] [--image PATH] [--debug-dir DIR]",
	  "threads: id, name, state, wait reason, cpu time, switches",
	  "  The thread on a CPU is marked '*'. A live guest is paused for a moment\n"
	  "  while its thread list is read (--no-pause: read it running).\n"
	  "  --image PATH     the guest image (symbols); default: the session's\n"
	  "  --debug-dir DIR  find the image by build-id: DIR/.build-id/xx/yyyy.debug, DIR/*.elf" },
	{ "net", cmd_net, "net TARGET [--json] [--no-pause] [--image PATH] [--debug-dir DIR]",
	  "TCP sockets and connections, read from guest memory (like ss -tanp)",
	  "  Every listening socket and connection of the guest's TCP/IP stack (lwIP):\n"
	  "  state, receive and send queues (bytes), local and peer address, and the\n"
	  "  descriptor and thread owning it (the thread blocked on it, else the last\n"
	  "  one that called on it). Read from memory with no help from the guest:\n"
	  "  live sessions (paused for a moment unless --no-pause) and cores alike.\n"
	  "  The first lines give the interface and its packet counters." },
	{ "bt", cmd_bt, "bt TARGET [TID|all] [--json] [--no-pause] [--image PATH] [--debug-dir DIR]",
	  "symbolized backtraces (function, file:line)",
	  "  Without TID: the thread on vCPU 0. Frame-pointer unwinding, through\n"
	  "  interrupts; preempted threads start at the interrupted instruction." },
	{ "log", cmd_log, "log TARGET [--json] [--image PATH] [--debug-dir DIR]",
	  "the console log ring read from guest memory",
	  "  Of an ended session: its console.log, every console byte the guest sent." },
	{ "trace", cmd_trace, "trace TARGET|STREAM-FILE [-f text|ctf|json] [-o OUT] [--follow] [--no-pause]\n"
	  "             [--image PATH]",
	  "trace events from guest memory, or a stream recorded by run --trace",
	  "  -f FORMAT   text (trace-cmd style, default), ctf (CTF 1.8 directory, needs -o), json\n"
	  "              (Chrome/Perfetto trace-event JSON)\n"
	  "  -o OUT      write to OUT instead of standard output\n"
	  "  --follow    keep reading a live guest's rings, print new events until Ctrl-C\n"
	  "  --no-pause  do not pause a live guest while reading its rings\n"
	  "STREAM-FILE is what `uniscope run --trace FILE` recorded; --image names its image." },
	{ "top", cmd_top, "top TARGET | --replay STREAM-FILE [--image PATH] [--debug-dir DIR]",
	  "the terminal UI: threads, scheduling timeline, live trace events, console",
	  "  A live session is read every 200-500 ms without pausing it; a core or a\n"
	  "  stream recorded by `uniscope run --trace FILE` (--replay) is shown as it stands.\n"
	  "  Keys: ? help, q quit, Tab pane, / filter, Space pause, Left/Right scrub,\n"
	  "  Enter backtrace, s sort, g GDB on the image, e trace events on/off.\n"
	  "  --image PATH   the guest image (symbols; event names of a replay)" },
	{ "heap", cmd_heap, "heap TARGET [--json] [--image PATH] [--debug-dir DIR]",
	  "page allocator and malloc statistics", 0 },
	{ "mem", cmd_mem, "mem TARGET ADDR LEN [--phys] [--json] [--image PATH] [--debug-dir DIR]",
	  "hexdump of guest memory",
	  "  ADDR: 0xHEX, a symbol or symbol+0xOFF; virtual (through the guest's page\n"
	  "  tables) unless --phys. LEN up to 1 MiB." },
	{ "sym", cmd_sym, "sym TARGET ADDR|NAME [--json] [--image PATH] [--debug-dir DIR]",
	  "symbol lookup: address to function+offset and file:line, or name to address", 0 },
	{ "dis", cmd_dis, "dis TARGET ADDR|SYMBOL [N] [--json] [--image PATH] [--debug-dir DIR]",
	  "disassemble guest memory (N instructions, default 16 or the whole function)", 0 },
	{ "core", cmd_core, "core TARGET -o FILE [--no-pause] [--image PATH] [--debug-dir DIR]",
	  "write an ELF core that stock GDB opens, one thread per libOS thread",
	  "  `gdb IMAGE FILE` then shows every libOS thread as \"LWP id\", the thread that\n"
	  "  was on the CPU (or died) first. Memory is stored at guest virtual addresses;\n"
	  "  all-zero runs of 64 KiB or more and unbacked mappings are left out. A live\n"
	  "  guest is paused while it is copied (--no-pause: copy it running)." },
	{ "report", cmd_report,
	  "report TARGET [--json] [--events N] [--stuck MS] [--cpu-window MS] [--image PATH] [--debug-dir DIR]",
	  "the crash report: fault, registers, disassembly, backtraces, last events, console",
	  "  One screen: what killed the guest (panic record), where (function, file:line),\n"
	  "  the registers, the code around the faulting instruction, every thread's\n"
	  "  backtrace, the last N trace events (default 32) and the console's last lines.\n"
	  "  A guest that has not died is searched for hangs: deadlocks (wait-for cycles,\n"
	  "  with what each thread holds and waits for), threads blocked or runnable but\n"
	  "  not run for over --stuck MS (default 5000), and a thread that kept the CPU\n"
	  "  (a live guest runs --cpu-window MS, default 300, for that; 0: since boot).\n"
	  "  When the panic record or the descriptor cannot be read, the report says it\n"
	  "  cannot tell whether the guest died, and exits 1." },
	{ "gdbserver", cmd_gdbserver,
	  "gdbserver TARGET [--listen tcp:HOST:PORT|unix:PATH] [--allow-remote] [--keep] [--image PATH]\n"
	  "           [--debug-dir DIR]",
	  "serve GDB over host introspection: no stub in the guest needed",
	  "  Threads are the libOS threads (GDB id = libOS id). A core is read-only:\n"
	  "  memory and register writes and resuming are refused. A live session is paused\n"
	  "  while GDB is attached; continue resumes it, Ctrl-C pauses it again (SIGINT),\n"
	  "  detach leaves it running. No breakpoints or single-stepping (use the in-guest\n"
	  "  stub, `uniscope gdb`). Listens on loopback port 1234 unless told otherwise;\n"
	  "  a unix socket is created 0600, and a loopback port serves only connections of\n"
	  "  this user; an address beyond loopback needs --allow-remote. Serves one debugger\n"
	  "  and exits when it detaches; --keep serves the next one too." },
	{ "replay", cmd_replay,
	  "replay DIR [--listen tcp:HOST:PORT|unix:PATH] [--name N] [--image PATH] [--detach]",
	  "replay a recorded run (run --record DIR) and serve it to GDB, backwards too",
	  "  The replay is a session (uniscope ls shows it as 'replay'); its GDB socket is\n"
	  "  SESSION_DIR/gdb.sock (uniscope gdb NAME) and ADDR with --listen. GDB sees the\n"
	  "  libOS threads; continue, stepi, breakpoints and watchpoints run the replay\n"
	  "  forwards, reverse-continue, reverse-stepi, reverse-next, reverse-finish backwards.\n"
	  "  A forward continue stops at the crash, on the faulting instruction, and at the\n"
	  "  end of the recording. ps, bt, trace, log, core, report on NAME read the guest\n"
	  "  as the replay has it. The recording is checked first: it must have ended\n"
	  "  cleanly, be whole, come from this QEMU and from the image (build-id).\n"
	  "  --name N        session name (default: DIR's name, made unique)\n"
	  "  --image PATH    the image that was recorded, when it moved\n"
	  "  --detach        serve in the background; print the session's name" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("uniscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return 0;
}

void cli_print_command_help(FILE *out, const struct cli_command *c)
{
	fprintf(out, "usage: uniscope %s\n\n%s\n", c->usage, c->summary);
	if (c->help)
		fprintf(out, "\n%s\n", c->help);
	fprintf(out, "\nTARGET := session name | qemu:SESSION-DIR | xen:DOMID | xen:NAME | CORE-FILE\n");
}

int cli_usage(const char *cmd)
{
	const struct cli_command *c = cli_find(cmd);

	if (c)
		fprintf(stderr, "usage: uniscope %s\n", c->usage);
	return EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

static void print_overview(FILE *out)
{
	fprintf(out, "usage: uniscope COMMAND [ARGS]\n\n"
		     "Debug, trace and inspect uniscope unikernels.\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`uniscope COMMAND --help` for a command's options.\n"
		     "TARGET := session name | qemu:SESSION-DIR | xen:DOMID | xen:NAME | CORE-FILE\n");
}

int main(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && (c = cli_find(argv[2]))) {
			cli_print_command_help(stdout, c);
			return 0;
		}
		print_overview(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("uniscope 0.1\n");
		return 0;
	}
	c = cli_find(argv[1]);
	if (!c) {
		cli_error("'%s' is not a uniscope command (see uniscope --help)", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		cli_print_command_help(stdout, c);
		return 0;
	}
	return c->run(argc - 1, argv + 1);
}

/* curbside: argument parsing and start-up only. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "core/log.h"
#include "db/migrate.h"
#include "routes.h"
#include "seed/seed_demo.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: curbside <command>\n"
	        "\n"
	        "commands:\n"
	        "  serve [--migrate]  serve the API (--migrate applies migrations first)\n"
	        "  worker             run only the background workers (those CURBSIDE_WORKERS\n"
	        "                     names: by default all) until SIGTERM/SIGINT\n"
	        "  migrate            apply pending database migrations and exit\n"
	        "  seed-demo [--migrate]\n"
	        "                     load the demo hauler (tenant `demo`) and its staff login\n"
	        "                     once; development only (--migrate: migrations first)\n"
	        "  routes             list every route: method, path, authentication, module\n"
	        "  version            print the version\n"
	        "\n"
	        "`curbside serve --help` lists the configuration variables.\n");
}

static int load_config(struct config *cfg)
{
	if (config_load(cfg, stderr) != CS_OK) {
		fprintf(stderr, "curbside: invalid configuration (see `curbside serve --help`)\n");
		return 1;
	}
	return 0;
}

/* Start logging and the application from `cfg` (taken over), run `run` until it returns, then
 * release everything. The process exit status. */
static int run_app(struct config *cfg, int (*run)(struct app *))
{
	struct app app;

	if (log_init(cfg->log_level) != 0) {
		fprintf(stderr, "curbside: cannot start logging\n");
		config_release(cfg);
		return 1;
	}
	int rc = app_init(&app, cfg);
	if (rc == CS_OK)
		rc = run(&app);
	else
		LOG_ERROR("start-up failed (%d)", rc);
	app_release(&app);
	log_close();
	return rc == CS_OK ? 0 : 1;
}

static int cmd_serve(int argc, char **argv)
{
	struct config cfg;
	bool migrate = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			config_print_help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--migrate")) {
			migrate = true;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (load_config(&cfg) != 0)
		return 1;
	cfg.migrate_on_start = cfg.migrate_on_start || migrate;
	return run_app(&cfg, app_serve);
}

/* The background workers alone, e.g. in their own container beside `serve` with
 * CURBSIDE_WORKERS=none; CURBSIDE_WORKERS may split them over several such processes. */
static int cmd_worker(int argc, char **argv)
{
	struct config cfg;

	if (argc > 2) {
		if (!strcmp(argv[2], "--help")) {
			config_print_help(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	if (load_config(&cfg) != 0)
		return 1;
	if (!cfg.workers) {
		fprintf(stderr,
		        "curbside: CURBSIDE_WORKERS=none leaves the worker nothing to run\n");
		config_release(&cfg);
		return 1;
	}
	return run_app(&cfg, app_run_workers);
}

static int cmd_migrate(void)
{
	struct config cfg;

	if (load_config(&cfg) != 0)
		return 1;
	int rc = db_migrate(cfg.database_url, stdout);
	config_release(&cfg);
	return rc == CS_OK ? 0 : 1;
}

static int cmd_seed_demo(int argc, char **argv)
{
	struct config cfg;
	bool migrate = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--migrate")) {
			migrate = true;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (load_config(&cfg) != 0)
		return 1;
	int rc = CS_OK;
	if (cfg.production) {
		fprintf(stderr,
		        "curbside: seed-demo creates a published login; it does not run with "
		        "CURBSIDE_ENV=production\n");
		rc = CS_EFORBIDDEN;
	} else if (migrate) {
		rc = db_migrate(cfg.database_url, stdout);
	}
	if (rc == CS_OK)
		rc = seed_demo(cfg.database_url, stdout, stderr);
	config_release(&cfg);
	return rc == CS_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	/*
	 * argon2id allocates 19 MiB per hash. glibc raises its mmap threshold after such a block is
	 * freed, so later ones would come from the heap and stay in the RSS for good; a fixed
	 * threshold keeps big blocks mmapped and returned to the system when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc, argv);
	if (!strcmp(argv[1], "worker"))
		return cmd_worker(argc, argv);
	if (!strcmp(argv[1], "migrate"))
		return cmd_migrate();
	if (!strcmp(argv[1], "seed-demo"))
		return cmd_seed_demo(argc, argv);
	if (!strcmp(argv[1], "routes")) {
		app_print_routes(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version")) {
		printf("curbside %s\n", CURBSIDE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}

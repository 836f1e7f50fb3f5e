/*
 * Checks that every entry point of the C ABI refuses NULL and unusable
 * arguments with the documented result (and error object) instead of
 * crashing, and that a scheduler whose master refuses connections can be
 * used, closed and freed cleanly. Run by ffi/tests/ffi_c.rs (also under
 * valgrind). Argument: a master URL where nothing listens.
 * Prints "ok N checks" and exits 0 when every check holds.
 */
#include <stdio.h>
#include <string.h>

#include "mesos_http.h"

static int checks = 0;
static int failures = 0;

#define CHECK(cond)                                                                \
  do {                                                                             \
    checks++;                                                                      \
    if (!(cond)) {                                                                 \
      failures++;                                                                  \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
    }                                                                              \
  } while (0)

/* Checks `result` and that the error object says `needle`, then frees it. */
static void expect(mesos_http_result result, mesos_http_error *error,
                   mesos_http_result wanted, const char *needle, int line) {
  checks++;
  const char *message = mesos_http_error_message(error);
  if (result != wanted || error == NULL || mesos_http_error_result(error) != wanted ||
      strstr(message, needle) == NULL) {
    failures++;
    fprintf(stderr, "line %d: got %s (%s), wanted %s mentioning \"%s\"\n", line,
            mesos_http_result_name((uint32_t)result), message,
            mesos_http_result_name((uint32_t)wanted), needle);
  }
  mesos_http_error_free(error);
}

#define EXPECT(call, wanted, needle)                                               \
  do {                                                                             \
    mesos_http_error *err_ = NULL;                                                 \
    mesos_http_result res_ = call;                                                 \
    expect(res_, err_, wanted, needle, __LINE__);                                  \
  } while (0)
/* Inside EXPECT, `&err_` is the error out-parameter. */
#define ERR (&err_)

static void frees_accept_null(void) {
  mesos_http_config_free(NULL);
  mesos_http_scheduler_free(NULL);
  mesos_http_event_free(NULL);
  mesos_http_error_free(NULL);
  CHECK(1);
}

static void names_and_null_errors(void) {
  CHECK(strcmp(mesos_http_result_name(MESOS_HTTP_RESULT_OK), "MESOS_HTTP_RESULT_OK") == 0);
  CHECK(strcmp(mesos_http_result_name(MESOS_HTTP_RESULT_REJECTED),
               "MESOS_HTTP_RESULT_REJECTED") == 0);
  CHECK(strcmp(mesos_http_result_name(12345), "MESOS_HTTP_RESULT_UNKNOWN") == 0);
  CHECK(strcmp(mesos_http_error_message(NULL), "no error") == 0);
  CHECK(mesos_http_error_result(NULL) == MESOS_HTTP_RESULT_OK);
  CHECK(mesos_http_error_http_status(NULL) == 0);
  CHECK(strcmp(mesos_http_task_state_name(MESOS_HTTP_TASK_STATE_FINISHED), "TASK_FINISHED") == 0);
  CHECK(mesos_http_task_state_name(-7) == NULL);
  CHECK(mesos_http_task_state_is_terminal(MESOS_HTTP_TASK_STATE_FAILED));
  CHECK(!mesos_http_task_state_is_terminal(MESOS_HTTP_TASK_STATE_RUNNING));
}

static void config_arguments(void) {
  mesos_http_config *config = mesos_http_config_new();
  CHECK(config != NULL);
  static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};

  EXPECT(mesos_http_config_set_masters(NULL, "http://127.0.0.1:1", ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`config` is NULL");
  EXPECT(mesos_http_config_set_masters(config, NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`masters` is NULL");
  EXPECT(mesos_http_config_set_masters(config, "\xff\xfe", ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "UTF-8");
  EXPECT(mesos_http_config_set_masters(config, "file:///etc/mesos/master", ERR),
         MESOS_HTTP_RESULT_CONFIG, "file://");
  EXPECT(mesos_http_config_set_framework(config, "", "name", ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "must not be empty");
  EXPECT(mesos_http_config_set_framework(config, "user", NULL, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`name`");
  EXPECT(mesos_http_config_set_framework_info(config, 7, garbage, sizeof garbage, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "encoding 7");
  EXPECT(mesos_http_config_set_framework_info(config, MESOS_HTTP_ENCODING_PROTOBUF, NULL, 5, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`bytes`");
  EXPECT(mesos_http_config_set_framework_info(config, MESOS_HTTP_ENCODING_PROTOBUF, garbage,
                                              sizeof garbage, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "FrameworkInfo does not decode");
  EXPECT(mesos_http_config_set_encoding(config, 2, ERR), MESOS_HTTP_RESULT_INVALID_ARGUMENT,
         "encoding 2");
  EXPECT(mesos_http_config_set_credentials(config, NULL, "secret", ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`principal`");
  EXPECT(mesos_http_config_add_ca_file(config, "/nonexistent/ca.pem", ERR),
         MESOS_HTTP_RESULT_CONFIG, "/nonexistent/ca.pem");
  EXPECT(mesos_http_config_set_backoff(config, 10, 5, ERR), MESOS_HTTP_RESULT_INVALID_ARGUMENT,
         "max_ms");
  EXPECT(mesos_http_config_set_max_record_size(config, 0, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "`bytes`");
  EXPECT(mesos_http_config_set_event_capacity(config, 0, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "`capacity`");

  /* A NULL error_out is allowed: only the result comes back. */
  CHECK(mesos_http_config_set_masters(NULL, "x", NULL) == MESOS_HTTP_RESULT_NULL_ARGUMENT);

  /* Connect refuses a config without masters or framework. */
  mesos_http_scheduler *scheduler = (mesos_http_scheduler *)&checks; /* must be reset */
  EXPECT(mesos_http_scheduler_connect(config, &scheduler, ERR), MESOS_HTTP_RESULT_CONFIG,
         "no masters set");
  CHECK(scheduler == NULL);
  EXPECT(mesos_http_scheduler_connect(NULL, &scheduler, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`config`");
  EXPECT(mesos_http_scheduler_connect(config, NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler_out`");
  mesos_http_config_free(config);
}

static void calls_on_null(void) {
  const char *ids[] = {"offer-1"};
  mesos_http_event *event = NULL;
  EXPECT(mesos_http_scheduler_next_event(NULL, 0, &event, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  CHECK(event == NULL);
  EXPECT(mesos_http_scheduler_launch(NULL, "o", "a", "t", "n", "true", 0.1, 32, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`scheduler`");
  EXPECT(mesos_http_scheduler_accept_launch(NULL, ids, 1, NULL, 0, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`scheduler`");
  EXPECT(mesos_http_scheduler_decline(NULL, ids, 1, -1.0, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_acknowledge(NULL, NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_kill(NULL, "t", NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_reconcile(NULL, NULL, NULL, 0, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`scheduler`");
  EXPECT(mesos_http_scheduler_revive(NULL, NULL, 0, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_suppress(NULL, NULL, 0, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_teardown(NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_call(NULL, NULL, 0, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`scheduler`");
  EXPECT(mesos_http_scheduler_close(NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT, "`scheduler`");
  CHECK(!mesos_http_scheduler_is_subscribed(NULL));
}

static void accessors_on_null(void) {
  const uint8_t *data = (const uint8_t *)"x";
  size_t len = 99;
  CHECK(mesos_http_event_get_kind(NULL) == MESOS_HTTP_EVENT_KIND_UNKNOWN);
  CHECK(mesos_http_event_connection_state(NULL) == MESOS_HTTP_CONNECTION_STATE_NONE);
  CHECK(mesos_http_event_bytes(NULL, &data, &len) == MESOS_HTTP_RESULT_NULL_ARGUMENT);
  CHECK(data == NULL && len == 0);
  CHECK(mesos_http_event_uuid(NULL, &data, &len) == MESOS_HTTP_RESULT_NULL_ARGUMENT);
  CHECK(mesos_http_event_bytes(NULL, NULL, NULL) == MESOS_HTTP_RESULT_NULL_ARGUMENT);
  CHECK(mesos_http_event_offer_count(NULL) == 0);
  CHECK(mesos_http_event_offer_id(NULL, 0) == NULL);
  CHECK(mesos_http_event_offer_agent_id(NULL, 0) == NULL);
  CHECK(mesos_http_event_offer_hostname(NULL, 0) == NULL);
  CHECK(mesos_http_event_offer_scalar(NULL, 0, "cpus") == -1.0);
  CHECK(mesos_http_event_task_id(NULL) == NULL);
  CHECK(mesos_http_event_agent_id(NULL) == NULL);
  CHECK(mesos_http_event_framework_id(NULL) == NULL);
  CHECK(mesos_http_event_master(NULL) == NULL);
  CHECK(mesos_http_event_message(NULL) == NULL);
  CHECK(mesos_http_event_reason(NULL) == NULL);
  CHECK(mesos_http_event_task_state(NULL) == -1);
  CHECK(!mesos_http_event_needs_ack(NULL));
  CHECK(mesos_http_event_heartbeat_interval(NULL) == 0.0);
}

/* A real scheduler whose master refuses connections: calls fail fast with
 * NOT_SUBSCRIBED, argument checks still come first, a connection item reports
 * the failure, and close ends the event stream. */
static void unreachable_master(const char *url) {
  mesos_http_config *config = mesos_http_config_new();
  mesos_http_error *error = NULL;
  CHECK(mesos_http_config_set_masters(config, url, &error) == MESOS_HTTP_RESULT_OK);
  CHECK(error == NULL);
  CHECK(mesos_http_config_set_framework(config, "nobody", "null-args", NULL) ==
        MESOS_HTTP_RESULT_OK);
  CHECK(mesos_http_config_set_backoff(config, 10, 50, NULL) == MESOS_HTTP_RESULT_OK);
  mesos_http_scheduler *scheduler = NULL;
  CHECK(mesos_http_scheduler_connect(config, &scheduler, &error) == MESOS_HTTP_RESULT_OK);
  mesos_http_config_free(config);
  if (scheduler == NULL) {
    fprintf(stderr, "connect: %s\n", mesos_http_error_message(error));
    mesos_http_error_free(error);
    failures++;
    return;
  }
  const char *ids[] = {"offer-1", NULL};

  EXPECT(mesos_http_scheduler_teardown(scheduler, ERR), MESOS_HTTP_RESULT_NOT_SUBSCRIBED,
         "not subscribed");
  EXPECT(mesos_http_scheduler_decline(scheduler, ids, 1, 5.0, ERR),
         MESOS_HTTP_RESULT_NOT_SUBSCRIBED, "not subscribed");
  EXPECT(mesos_http_scheduler_decline(scheduler, NULL, 2, 5.0, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`offer_ids` is NULL");
  EXPECT(mesos_http_scheduler_decline(scheduler, ids, 2, 5.0, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`offer_ids[1]` is NULL");
  EXPECT(mesos_http_scheduler_launch(scheduler, "o", "a", "t", "n", "true", 0.0, 32, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "`cpus`");
  EXPECT(mesos_http_scheduler_accept_launch(scheduler, ids, 0, NULL, 0, ERR),
         MESOS_HTTP_RESULT_INVALID_ARGUMENT, "offer id");
  EXPECT(mesos_http_scheduler_kill(scheduler, NULL, NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`task_id`");
  EXPECT(mesos_http_scheduler_acknowledge(scheduler, NULL, ERR), MESOS_HTTP_RESULT_NULL_ARGUMENT,
         "`event`");
  EXPECT(mesos_http_scheduler_next_event(scheduler, 0, NULL, ERR),
         MESOS_HTTP_RESULT_NULL_ARGUMENT, "`event_out`");

  /* The failed attempt is reported as a DISCONNECTED connection item. */
  int saw_disconnected = 0;
  for (int i = 0; i < 200 && !saw_disconnected; i++) {
    mesos_http_event *event = NULL;
    mesos_http_result result = mesos_http_scheduler_next_event(scheduler, 100, &event, NULL);
    if (result == MESOS_HTTP_RESULT_OK) {
      const uint8_t *data = (const uint8_t *)"x";
      size_t len = 1;
      CHECK(mesos_http_event_get_kind(event) == MESOS_HTTP_EVENT_KIND_CONNECTION);
      CHECK(mesos_http_event_bytes(event, &data, &len) == MESOS_HTTP_RESULT_NO_FIELD);
      CHECK(data == NULL && len == 0);
      CHECK(mesos_http_event_message(event) != NULL);
      CHECK(mesos_http_event_task_state(event) == -1);
      /* Acknowledging an event that needs none does nothing. */
      CHECK(mesos_http_scheduler_acknowledge(scheduler, event, NULL) == MESOS_HTTP_RESULT_OK);
      saw_disconnected =
          mesos_http_event_connection_state(event) == MESOS_HTTP_CONNECTION_STATE_DISCONNECTED;
    } else {
      CHECK(result == MESOS_HTTP_RESULT_TIMEOUT);
    }
    mesos_http_event_free(event);
  }
  CHECK(saw_disconnected);

  CHECK(mesos_http_scheduler_close(scheduler, NULL) == MESOS_HTTP_RESULT_OK);
  CHECK(mesos_http_scheduler_close(scheduler, NULL) == MESOS_HTTP_RESULT_OK);
  EXPECT(mesos_http_scheduler_revive(scheduler, NULL, 0, ERR), MESOS_HTTP_RESULT_CLOSED,
         "closed");
  /* After close the channel drains, then reports CLOSED. */
  mesos_http_result last = MESOS_HTTP_RESULT_OK;
  for (int i = 0; i < 10000 && last == MESOS_HTTP_RESULT_OK; i++) {
    mesos_http_event *event = NULL;
    last = mesos_http_scheduler_next_event(scheduler, 1000, &event, NULL);
    mesos_http_event_free(event);
  }
  CHECK(last == MESOS_HTTP_RESULT_CLOSED);
  mesos_http_scheduler_free(scheduler);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s UNREACHABLE_MASTER_URL\n", argv[0]);
    return 2;
  }
  frees_accept_null();
  names_and_null_errors();
  config_arguments();
  calls_on_null();
  accessors_on_null();
  unreachable_master(argv[1]);
  if (failures > 0) {
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("ok %d checks\n", checks);
  return 0;
}

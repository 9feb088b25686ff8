/**
 * Vantio signup relay — Google Forms.
 *
 * On every form submission this script POSTs the answers to the relay's
 * /v1/webhooks/<source> endpoint, signed the Standard Webhooks way (HMAC-SHA256 over
 * "<id>.<timestamp>.<body>" with the source's whsec_ secret), so the relay can check that
 * the answers came from this form, unchanged and recently.
 *
 * Set up (docs/webhooks.md, "Google Forms", has every click):
 *   1. In the form: ⋮ → Apps Script. Replace Code.gs with this file.
 *   2. Fill in RELAY_URL and SIGNING_SECRET below (the secret is the one in the relay's
 *      sources file for this source).
 *   3. Triggers (clock icon) → Add Trigger → onFormSubmit, From form, On form submit.
 *
 * Nothing else is needed: no libraries, no advanced services.
 */

/** The relay's webhook URL for this source, e.g. https://relay.example.edu/v1/webhooks/google-forms */
var RELAY_URL = 'https://YOUR-RELAY.example.edu/v1/webhooks/google-forms';
/** The source's secret from the relay's sources file: whsec_ followed by base64. */
var SIGNING_SECRET = 'whsec_PASTE_THE_SECRET_FROM_THE_SOURCES_FILE';
/** Tries per submission when the relay is unreachable or busy (1 s, 2 s, 4 s … apart). */
var MAX_ATTEMPTS = 4;

/** The installable "On form submit" trigger calls this with the submission. */
function onFormSubmit(e) {
  var body = JSON.stringify(buildPayload(e));
  return deliver(e.response.getId(), body);
}

/**
 * The payload the relay's google-forms preset maps: every answer with its question title,
 * so the relay finds "impression_id", "First name", "Last name" and "Email" by title.
 */
function buildPayload(e) {
  var response = e.response;
  var answers = response.getItemResponses().map(function (itemResponse) {
    var item = itemResponse.getItem();
    return { title: item.getTitle(), type: String(item.getType()), value: itemResponse.getResponse() };
  });
  return {
    event: 'form_response',
    form: { id: e.source.getId(), title: e.source.getTitle() },
    response: {
      id: response.getId(),
      submitted_at: response.getTimestamp().toISOString(),
      respondent_email: response.getRespondentEmail() || null,
      answers: answers,
    },
  };
}

/** Standard Webhooks headers for `body`, signed now. `id` is the delivery id: a retry reuses it. */
function signedHeaders(id, body, nowMs) {
  var timestamp = String(Math.floor(nowMs / 1000));
  var key = Utilities.base64Decode(SIGNING_SECRET.replace(/^whsec_/, ''));
  var signed = Utilities.newBlob(id + '.' + timestamp + '.' + body).getBytes();
  var signature = Utilities.base64Encode(Utilities.computeHmacSha256Signature(signed, key));
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': 'v1,' + signature };
}

/**
 * Sends one submission. 2xx: done (accepted, duplicate or replayed). 422: the relay kept
 * it for its admin (a mapping to fix), so it is not lost. 429/5xx or no answer: retried with
 * the same delivery id, so the relay counts it once. Anything else throws, and Google emails
 * the script's owner about the failed trigger.
 */
function deliver(responseId, body) {
  var id = 'gf_' + responseId;
  var bytes = Utilities.newBlob(body).getBytes();
  var lastProblem = '';
  for (var attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    var answer = null;
    try {
      answer = UrlFetchApp.fetch(RELAY_URL, {
        method: 'post',
        contentType: 'application/json; charset=utf-8',
        payload: bytes,
        headers: signedHeaders(id, body, Date.now()),
        muteHttpExceptions: true,
        followRedirects: false,
      });
    } catch (error) {
      lastProblem = 'the relay did not answer (' + error + ')';
    }
    if (answer) {
      var status = answer.getResponseCode();
      if ((status >= 200 && status < 300) || status === 422) return { status: status, attempts: attempt };
      lastProblem = 'the relay answered ' + status + ': ' + answer.getContentText().slice(0, 300);
      if (status !== 429 && status < 500) break;
    }
    if (attempt < MAX_ATTEMPTS) Utilities.sleep(1000 * Math.pow(2, attempt - 1));
  }
  throw new Error('Vantio relay: submission ' + responseId + ' not delivered: ' + lastProblem);
}

"""Every file of the corpus through the service: refused with its sentence and nothing
stored, or stored whole (the stored bytes' SHA-256 is the upload's). The figures in
docs/security.md ("Attachments") are these counts."""

import hashlib
import io
import time

from django.core.exceptions import ValidationError

from evidence import services
from evidence.models import Attachment
from tests.evidence.conftest import stored_files
from tests.evidence.corpus import corpus

EXPECTED = {"tried": 66, "refused": 48, "stored whole": 18, "crashed": 0}


def test_every_file_is_refused_with_its_sentence_or_stored_whole(update, lead_user):
    counts = dict.fromkeys(EXPECTED, 0)
    slowest = 0.0
    for case in corpus():
        counts["tried"] += 1
        before = set(stored_files())
        rows = Attachment.objects.count()
        started = time.perf_counter()
        try:
            attachment = services.attachment_add(
                update=update, user=lead_user, name=case.name, file=io.BytesIO(case.data)
            )
        except ValidationError as error:
            sentence = error.message_dict["file"][0]
            assert case.refused and case.refused in sentence, (case.name, sentence)
            assert "Traceback" not in sentence and "Error" not in sentence, sentence
            assert set(stored_files()) == before and Attachment.objects.count() == rows
            counts["refused"] += 1
        except Exception:  # noqa: BLE001 - counted: the figure must say 0
            counts["crashed"] += 1
        else:
            assert not case.refused, f"{case.name} was stored; expected: {case.refused}"
            with services.evidence_storage().open(attachment.stored_name, "rb") as stored:
                body = stored.read()
            assert body == case.data
            assert hashlib.sha256(body).hexdigest() == attachment.sha256
            counts["stored whole"] += 1
        slowest = max(slowest, time.perf_counter() - started)
    print(f"\nattachments corpus: {counts}, slowest {slowest:.2f} s")
    assert counts == EXPECTED
    assert slowest < 10

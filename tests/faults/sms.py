"""An SMS gateway as the worker sees one in the fault tests: each message may take a few
milliseconds (FAULTS_SMS_SECONDS: a real gateway answers over the network), and is written to a
file the test counts."""

import os
import time


class SlowFileSms:
    def send(self, phone: str, text: str) -> None:
        time.sleep(float(os.environ.get("FAULTS_SMS_SECONDS", "0")))
        with open(os.environ["FAULTS_SMS_FILE"], "a", encoding="utf-8") as f:
            f.write(f"{phone}\t{text}\n")

#!/usr/bin/env python3
"""Writes bench/cache-trace.jsonl: a synthetic support-bot trace for `ensemble cache-tune`.

Groups of paraphrases share one answer (hits that are right); traps change a number, add a negation, swap
named entities or ask a neighbouring question with another answer (hits that would be wrong); some requests
repeat exactly. Deterministic (fixed seed)."""
import json, random

random.seed(4)
groups = [
    (["How do I reset my password?", "How can I reset my password?", "What are the steps to reset my password?",
      "I need to reset my password, how?"], "Open Settings > Security and click 'Reset password'; a link arrives by e-mail."),
    (["How do I delete my account?", "How can I delete my account?", "What is the way to delete my account?"],
     "Go to Settings > Account > Delete account and confirm with your password."),
    (["How do I delete a repository?", "How can I delete a repository?"], "Open the repository's Settings and use 'Delete this repository' at the bottom."),
    (["What are your opening hours?", "When are you open?", "What time do you open and close?"], "We are open 9:00-18:00, Monday to Friday."),
    (["How do I export my data to CSV?", "How can I export my data as CSV?", "Can I download my data in CSV format?"],
     "Use Reports > Export and pick CSV."),
    (["How do I change my e-mail address?", "How can I update my e-mail address?"], "Settings > Profile > E-mail, then confirm the new address."),
    (["Do you offer a student discount?", "Is there a discount for students?"], "Yes: 50% with a valid student ID."),
    (["How do I cancel my subscription?", "How can I cancel my subscription?", "I want to cancel my subscription."],
     "Billing > Subscription > Cancel; you keep access until the period ends."),
    (["Which file formats can I upload?", "What file types are supported for upload?"], "PDF, DOCX, PNG and JPEG, up to 50 MB each."),
    (["How do I enable two-factor authentication?", "How can I turn on two-factor authentication?"],
     "Settings > Security > Two-factor authentication > Enable, then scan the QR code."),
]
traps = [
    ("Convert 10 USD to EUR", "10 USD is about 9.20 EUR."), ("Convert 10 EUR to USD", "10 EUR is about 10.90 USD."),
    ("Convert 100 USD to EUR", "100 USD is about 92 EUR."),
    ("Is Paris the capital of France?", "Yes, Paris is the capital of France."),
    ("Is Paris not the capital of France?", "No - Paris is the capital of France."),
    ("Is Lyon the capital of France?", "No, the capital of France is Paris."),
    ("What is 12 times 7?", "84"), ("What is 12 times 8?", "96"), ("What is 13 times 7?", "91"),
    ("How do I enable two-factor authentication on Android?", "In the Android app: Menu > Security > 2FA."),
    ("How do I enable two-factor authentication on iOS?", "In the iOS app: Profile > Security > 2FA."),
    ("Should I restart the server before the upgrade?", "Yes, restart it first."),
    ("Should I not restart the server before the upgrade?", "You must restart it first; skipping it corrupts the cache."),
    ("How do I delete a branch?", "git branch -d <name>, or use the Branches page."),
    ("Can I get a refund after 30 days?", "No, refunds are possible within 30 days only."),
    ("Can I get a refund after 10 days?", "Yes, within 30 days you get a full refund."),
]
trace = []
for prompts, answer in groups:
    for p in prompts:
        trace.append({"prompt": p, "answer": answer})
for p, a in traps:
    trace.append({"prompt": p, "answer": a})
for prompts, answer in random.sample(groups, 5):
    trace.append({"prompt": prompts[0], "answer": answer})
random.shuffle(trace)
with open("bench/cache-trace.jsonl", "w") as out:
    for line in trace:
        out.write(json.dumps(line) + "\n")
print(len(trace), "requests")

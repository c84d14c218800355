"""The official `openai` Python client against `image2text serve --model demo` on loopback: a caption from a data:
URI, a question, n=3 with beams, streaming, a wrong key (401) and a system message (400). Answers must equal the CLI's
for the same file. Then the README's curl and Python examples, which must print the CLI's answers. Run by
tools/clients/run.sh (and so by CI)."""
import base64
import json
import os
import re
import subprocess
import sys

import openai

from image2text_server import BINARY, ROOT, serve

KEY = "client-test-key"
IMAGE = os.path.join(ROOT, "Fixtures", "easyvqa", "15.png")
QUESTION = "what shape is in the image?"


def cli(*arguments, image=IMAGE):
    """The CLI's JSON result for `image`."""
    output = subprocess.run([BINARY, *arguments, "--model", "demo", "--json", image], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[0])


def image_part():
    with open(IMAGE, "rb") as file:
        data = base64.b64encode(file.read()).decode()
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")
    print(f"ok: {message}")


def readme_examples():
    """The README's chat completion examples: the curl command and the Python program of its Server section."""
    with open(os.path.join(ROOT, "README.md")) as file:
        section = file.read().split("### Server\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```(sh|python)\n(.*?)```", section, re.S)
    curl = next(code for kind, code in blocks if kind == "sh" and "/v1/chat/completions" in code)
    program = next(code for kind, code in blocks if kind == "python")
    return curl, program


def check_readme_examples(base_url):
    """Runs the README's examples against a server without a key, the address theirs; they print the CLI's answers."""
    curl, program = readme_examples()
    address = base_url.removeprefix("http://").removesuffix("/v1")
    reply = json.loads(subprocess.run(["bash", "-c", curl.replace("localhost:8080", address)], cwd=ROOT, check=True,
                                      capture_output=True, text=True).stdout)
    expected = cli("caption", image="Fixtures/easyvqa/0.png")["text"]
    check(reply["choices"][0]["message"]["content"] == expected, f"the README's curl command gives the CLI's caption {expected!r}")
    printed = subprocess.run([sys.executable, "-c", program.replace("http://localhost:8080/v1", base_url)], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.strip()
    answer = cli("ask", "--question", "what color is the shape?", image="Fixtures/easyvqa/0.png")["answer"]
    check(printed == answer, f"the README's Python program prints the CLI's answer {answer!r}")


def main():
    caption = cli("caption")
    answer = cli("ask", "--question", QUESTION)
    beams = cli("caption", "--num-beams", "3", "--num-return-sequences", "3")
    with serve("--model", "demo", api_key=KEY) as server:
        base_url = server.url
        client = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0)
        user = {"role": "user", "content": [image_part()]}

        reply = client.chat.completions.create(model="demo", messages=[user])
        check(reply.choices[0].message.content == caption["text"], f"caption {reply.choices[0].message.content!r} equals the CLI's")
        check(reply.choices[0].finish_reason == "stop" and reply.object == "chat.completion", "finish_reason stop")
        check(reply.usage.prompt_tokens > len(caption["prompt_ids"]), f"usage counts the image tokens ({reply.usage})")

        asked = client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": [image_part(), {"type": "text", "text": QUESTION}]}])
        check(asked.choices[0].message.content == answer["answer"], f"answer {asked.choices[0].message.content!r} equals `ask`'s")

        several = client.chat.completions.create(model="demo", messages=[user], n=3)
        texts = [choice.message.content for choice in several.choices]
        check(texts == [sequence["text"] for sequence in beams["sequences"]], f"n=3 gives the 3 beams, best first: {texts}")

        chunks = list(client.chat.completions.create(model="demo", messages=[user], stream=True,
                                                     stream_options={"include_usage": True}))
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
        check(streamed == caption["text"], f"streamed deltas join to the caption ({len(chunks)} chunks)")
        check(chunks[-1].usage is not None and chunks[-1].usage.total_tokens == reply.usage.total_tokens, "the last chunk has the usage")

        models = client.models.list()
        check([model.id for model in models.data] == ["git-tiny-easyvqa"], f"/v1/models lists the model: {models.data}")

        try:
            openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0).chat.completions.create(model="demo", messages=[user])
            check(False, "a wrong key is refused")
        except openai.AuthenticationError as error:
            check(error.status_code == 401, f"a wrong key is refused: {error.body}")

        try:
            client.chat.completions.create(model="demo", messages=[{"role": "system", "content": "Be brief."}, user])
            check(False, "a system message is refused")
        except openai.BadRequestError as error:
            check(error.status_code == 400 and error.body["param"] == "messages[0].role", f"a system message is refused: {error.body['message']}")
    with serve("--model", "demo") as server:
        check_readme_examples(server.url)
    print("openai client test: passed")


if __name__ == "__main__":
    main()

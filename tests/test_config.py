"""The config file: every key read, each mistake named by file, line and key,
secrets refused, and the client built from it talking to the real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Account

from ernie_tui.api import CommandAcsToken, FixedAcsToken, NoAcsToken, UrlAcsToken
from ernie_tui.config import (
    AcsTokenConfig,
    Config,
    ConfigError,
    acs_provider,
    load_config,
    make_client,
)
from ernie_tui.credentials import Credential
from ernie_tui.server import ServerThread

GOOD = """\
# ernie-tui settings
base_url = "https://example.test/"
theme = "nord"
question_limit = 500

[acs_token]
provider = "command"
command = "acs-helper --quiet"

[timeouts]
connect = 3
request = 12.5
idle = 90

[keymap]
send = "ctrl+s"
"new_conversation" = "ctrl+n,f2"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    config = load_config(path)
    assert config == Config(
        base_url="https://example.test",
        acs_token=AcsTokenConfig(provider="command", command="acs-helper --quiet"),
        theme="nord",
        keymap={"send": "ctrl+s", "new_conversation": "ctrl+n,f2"},
        connect_timeout=3.0,
        request_timeout=12.5,
        idle_timeout=90.0,
        question_limit=500,
        path=path,
    )


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config == Config(path=tmp_path / "absent.toml")
    assert config.base_url == "https://yiyan.baidu.com"
    assert config.question_limit == 2000


def test_the_environment_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'theme = "gruvbox"\n')
    monkeypatch.setenv("ERNIE_TUI_CONFIG", str(path))
    assert load_config().theme == "gruvbox"
    assert load_config(None).path == path


@pytest.mark.parametrize(
    ("text", "line", "key", "why"),
    [
        ('theme = "nord"\ncolour = "red"\n', 2, "colour", "unknown key"),
        ('[acs_token]\nprovider = "none"\ntokn = "x"\n', 3, "acs_token.tokn", "unknown key"),
        ("[timeouts]\nconnect = 5\nrequest = '30'\n", 3, "timeouts.request", "number"),
        ("[timeouts]\nidle = -1\n", 2, "timeouts.idle", "more than 0"),
        ("[timeouts]\nconnect = true\n", 2, "timeouts.connect", "number"),
        ('theme = "x"\nquestion_limit = "lots"\n', 2, "question_limit", "whole number"),
        ("question_limit = 0\n", 1, "question_limit", "at least 1"),
        ("\n\nbase_url = 42\n", 3, "base_url", "string"),
        ('base_url = "yiyan.baidu.com"\n', 1, "base_url", "http"),
        ('[acs_token]\nprovider = "magic"\n', 2, "acs_token.provider", "one of"),
        ('[acs_token]\nprovider = "fixed"\n', 1, "acs_token.token", "required"),
        ('[acs_token]\nprovider = "url"\nurl = "ftp://x"\n', 3, "acs_token.url", "http"),
        ('base_url = "http://127.0.0.1:1\\u001b[31m"\n', 1, "base_url", "control character"),
        ('base_url = "https://a\\u009bb.test"\n', 1, "base_url", "control character (U+009B)"),
        ('base_url = "https://yiyan.baidu.com\\u202e"\n', 1, "base_url", "U+202E"),
        ('base_url = "https://exa mple.test"\n', 1, "base_url", "a space"),
        ('base_url = "http://[::1"\n', 1, "base_url", "IPv6 address goes in brackets"),
        ('base_url = "http://[::1]:99999"\n', 1, "base_url", "from 1 to 65535"),
        ('base_url = "http://127.0.0.1:0"\n', 1, "base_url", "port 0"),
        ('base_url = "http:///eb"\n', 1, "base_url", "names no host"),
        (
            '[acs_token]\nprovider = "url"\nurl = "https://acs\\u0007.test"\n',
            3,
            "acs_token.url",
            "U+0007",
        ),
        ('acs_token = "fixed"\n', 1, "acs_token", "table"),
        ("acs_token = { provider = 3 }\n", 1, "acs_token.provider", "string"),
        ('[keymap]\nsend = "ctrl+s"\nquit = 5\n', 3, "keymap.quit", "keys as a string"),
        ('theme = "a"\nbase_url = "http://x\n', 2, "base_url", "not valid TOML"),
        ('theme = "a"\ntheme = "b"\n', 2, "theme", "not valid TOML"),
    ],
)
def test_each_mistake_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, why: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"line {line}," in message
    assert f"key '{key}'" in message
    assert why in message
    assert (info.value.line, info.value.key) == (line, key)
    # The message shows no control or invisible character itself.
    assert message.isprintable()


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('theme = "x"\nBDUSS_BFESS = "secret-bduss-value-123"\n', 2, "BDUSS_BFESS"),
        ('[auth]\nbaiduid = "secret-baiduid-value-123"\n', 2, "auth.baiduid"),
        ("[acs_token]\nBDUSS = 'secret-bduss-value-123'\n", 2, "acs_token.BDUSS"),
    ],
)
def test_cookies_in_the_config_are_refused(tmp_path: Path, text: str, line: int, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "ernie-tui login" in message
    assert f"line {line}" in message and key in message
    assert "secret-" not in message


@pytest.mark.parametrize(
    "url",
    [
        "https://yiyan.baidu.com",
        "http://127.0.0.1:8765",
        "http://[::1]:8765",
        "https://me:pw@proxy.test/ernie",
        "https://例子.测试",
    ],
)
def test_good_addresses_are_taken(tmp_path: Path, url: str) -> None:
    assert load_config(write(tmp_path, f'base_url = "{url}/"\n')).base_url == url


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "x"\nbase_url = "\xff"\n')
    with pytest.raises(ConfigError, match="line 2"):
        load_config(path)


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_config(tmp_path)


def test_providers_follow_the_config() -> None:
    assert isinstance(acs_provider(Config()), NoAcsToken)
    fixed = acs_provider(Config(acs_token=AcsTokenConfig("fixed", token="tok-1234567890")))
    assert isinstance(fixed, FixedAcsToken)
    assert "tok-1234567890" not in repr(fixed)
    command = acs_provider(Config(acs_token=AcsTokenConfig("command", command="helper --x")))
    assert isinstance(command, CommandAcsToken)
    assert command.argv == ["helper", "--x"]
    url = acs_provider(Config(acs_token=AcsTokenConfig("url", url="https://acs.example/t")))
    assert isinstance(url, UrlAcsToken)


def test_the_acs_token_is_masked_in_the_config_repr() -> None:
    config = Config(acs_token=AcsTokenConfig("fixed", token="tok-very-secret-123"))
    assert "tok-very-secret-123" not in repr(config)


async def test_make_client_talks_to_the_configured_server(
    server: ServerThread, account: Account
) -> None:
    config = Config(base_url=server.base_url, connect_timeout=4, request_timeout=7, idle_timeout=9)
    credential = Credential(account.baiduid, account.bduss, "session")
    async with make_client(config, credential) as client:
        assert client.base_url == server.base_url
        assert (client.timeouts.connect, client.timeouts.request, client.timeouts.idle) == (4, 7, 9)
        session_id = await client.new_conversation("from the config")
        conversations = await client.list_conversations()
        assert [s.session_id for s in conversations.all()] == [session_id]
        assert account.bduss.reveal() not in repr(client)


# -- the web backend's model and the copied browser request --------------------------


def test_the_model_is_read(tmp_path: Path) -> None:
    from ernie_tui.backends.web import WEB_MODELS

    for choice in WEB_MODELS:
        config = load_config(write(tmp_path, f'model = "{choice.id}"\n'))
        assert (config.model, config.warnings) == (choice.id, ())
    newer = load_config(write(tmp_path, 'model = "EB60_pro"\n'))
    assert (newer.model, newer.warnings) == ("EB60_pro", ())
    assert load_config(tmp_path / "absent.toml").model == "EB35"


@pytest.mark.parametrize("value", ["ERNIE 4.5 Turbo", "", "x" * 60, "模型", "EB35;drop"])
def test_a_model_that_cannot_be_a_code_is_warned_about(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f'theme = "nord"\nmodel = "{value}"\n')
    config = load_config(path)
    assert config.model == "EB35"
    [warning] = config.warnings
    assert str(path) in warning and "line 2" in warning and "'model'" in warning
    assert "EB35 is used" in warning


def test_a_model_that_is_not_a_string_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="line 1, key 'model': must be a string"):
        load_config(write(tmp_path, "model = 45\n"))


def test_the_curl_provider_reads_its_file(tmp_path: Path) -> None:
    from ernie_tui.api import CurlAcsToken

    (tmp_path / "acs.curl").write_text("curl 'https://ernie.baidu.com'\n")
    config = load_config(
        write(tmp_path, '[acs_token]\nprovider = "curl"\ncurl_file = "acs.curl"\n')
    )
    # A relative path is the config file's neighbour, whatever the working directory.
    assert config.acs_token.curl_file == str(tmp_path / "acs.curl")
    assert config.warnings == ()
    provider = acs_provider(config)
    assert isinstance(provider, CurlAcsToken) and provider.path == tmp_path / "acs.curl"
    home = load_config(write(tmp_path, '[acs_token]\ncurl_file = "~/ernie.curl"\n'))
    assert home.acs_token.curl_file == str(Path("~/ernie.curl").expanduser())


def test_a_curl_file_not_there_yet_is_warned_about(tmp_path: Path) -> None:
    text = '[acs_token]\nprovider = "curl"\ncurl_file = "later.curl"\n'
    config = load_config(write(tmp_path, text))
    [warning] = config.warnings
    assert "later.curl" in warning and "does not exist yet" in warning
    assert "Copy as cURL" in warning


@pytest.mark.parametrize(
    ("text", "line", "key", "why"),
    [
        ('[acs_token]\nprovider = "curl"\n', 1, "acs_token.curl_file", "required"),
        ("[acs_token]\ncurl_file = 7\n", 2, "acs_token.curl_file", "string"),
        ('[acs_token]\ncurl_file = "."\n', 2, "acs_token.curl_file", "directory"),
        ('[acs_token]\ncurl_file = "a\\u0007b"\n', 2, "acs_token.curl_file", "control"),
    ],
)
def test_curl_file_mistakes_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, why: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.line, info.value.key) == (line, key)
    assert why in str(info.value) and str(path) in str(info.value)


def test_the_copied_command_itself_is_refused_and_not_echoed(tmp_path: Path) -> None:
    command = (
        "curl 'https://ernie.baidu.com/eb/chat/conversation/v2' -H 'Acs-Token: 1733_1733_"
        "SECRETTOKEN' -b 'BDUSS_BFESS=SECRETCOOKIE'"
    )
    path = write(tmp_path, f'[acs_token]\nprovider = "curl"\ncurl_file = {json.dumps(command)}\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "line 3" in message and "not the request itself" in message
    assert "SECRET" not in message


async def test_make_client_asks_with_the_configured_model(
    server: ServerThread, account: Account
) -> None:
    config = Config(base_url=server.base_url, model="X1_1")
    credential = Credential(account.baiduid, account.bduss, "session")
    async with make_client(config, credential) as client:
        assert client.model == "X1_1"
        async with client.ask_stream("think first", reasoning=True) as stream:
            pieces = [p async for p in stream]
    # The embedded server thinks aloud for the thinking model only.
    assert any(p.reasoning for p in pieces) and stream.answer is not None
    assert stream.answer.reasoning


# -- the backend and [qianfan] ----------------------------------------------------------


def test_the_backend_and_the_qianfan_keys_are_read(tmp_path: Path) -> None:
    from ernie_tui.config import QianfanConfig

    path = write(
        tmp_path,
        'backend = "Qianfan"\n[qianfan]\nbase_url = "https://aistudio.baidu.com/llm/lmapi/v3/"\n'
        'appid = "app-AbC123"\nmodel = "ernie-x1-turbo-32k"\nweb_search = true\n',
    )
    config = load_config(path)
    assert config.backend == "qianfan"
    assert config.qianfan == QianfanConfig(
        base_url="https://aistudio.baidu.com/llm/lmapi/v3",
        appid="app-AbC123",
        model="ernie-x1-turbo-32k",
        web_search=True,
    )
    assert config.warnings == ()


def test_the_qianfan_defaults_are_the_clients() -> None:
    from ernie_tui.backends.qianfan import DEFAULT_MODEL
    from ernie_tui.qianfan import DEFAULT_BASE_URL

    config = Config()
    assert config.backend == "web"
    assert (config.qianfan.base_url, config.qianfan.model) == (DEFAULT_BASE_URL, DEFAULT_MODEL)
    assert (config.qianfan.appid, config.qianfan.web_search) == ("", False)


@pytest.mark.parametrize(
    ("text", "line", "key", "why"),
    [
        ("backend = 3\n", 1, "backend", "string"),
        ('theme = "a"\nbackend = "bard"\n', 2, "backend", "one of web, qianfan"),
        ('qianfan = "on"\n', 1, "qianfan", "table"),
        ('[qianfan]\nmodle = "x"\n', 2, "qianfan.modle", "unknown key in [qianfan]"),
        ('[qianfan]\nbase_url = "qianfan.baidubce.com/v2"\n', 2, "qianfan.base_url", "https://"),
        ('[qianfan]\nappid = "app 1"\n', 2, "qianfan.appid", "app id"),
        ('[qianfan]\nmodel = "ernie 4.5"\n', 2, "qianfan.model", "not a model id"),
        ('[qianfan]\nmodel = ""\n', 2, "qianfan.model", "not a model id"),
        ("[qianfan]\nweb_search = 1\n", 2, "qianfan.web_search", "true or false"),
    ],
)
def test_each_qianfan_mistake_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, why: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.path, info.value.line, info.value.key) == (path, line, key)
    assert why in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('api_key = "sk-SECRETVALUE0123"\n', 1, "api_key"),
        ('[qianfan]\nmodel = "ernie-lite-8k"\nkey = "SECRETVALUE0123"\n', 3, "qianfan.key"),
        ('[qianfan]\nAccess_Token = "SECRETVALUE0123"\n', 2, "qianfan.Access_Token"),
        ('theme = "bce-v3/ALTAK-SECRETVALUE/0123"\n', 1, "theme"),
        ('[keymap]\nsend = "bce-v3/ALTAK-SECRETVALUE/0123"\n', 2, "keymap.send"),
    ],
)
def test_an_api_key_in_the_config_is_refused_unechoed(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert (info.value.line, info.value.key) == (line, key)
    assert "never goes in the config file" in message
    assert "ernie-tui login --backend qianfan" in message and "QIANFAN_API_KEY" in message
    assert "SECRETVALUE" not in message


def test_the_acs_token_is_no_api_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[acs_token]\nprovider = "fixed"\ntoken = "acs-token-value"\n')
    assert load_config(path).acs_token.token == "acs-token-value"


def test_a_qianfan_address_without_a_version_path_is_warned_about(tmp_path: Path) -> None:
    path = write(tmp_path, '[qianfan]\nbase_url = "https://qianfan.baidubce.com"\n')
    config = load_config(path)
    assert config.qianfan.base_url == "https://qianfan.baidubce.com"
    (warning,) = config.warnings
    assert f"{path}, line 2, key 'qianfan.base_url'" in warning and "/v2" in warning


# -- the theme and the time zone ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "key", "why"),
    [
        ('model = "EB35"\ntheme = "textual-lite"\n', 2, "theme", "'textual-lite'"),
        ('theme = ""\n', 1, "theme", "must be one of textual-dark, textual-light"),
        ('\ntime_zone = "Mars/Olympus"\n', 2, "time_zone", 'like "Asia/Shanghai"'),
        ('time_zone = "../../etc/passwd"\n', 1, "time_zone", '"local"'),
        ("time_zone = 8\n", 1, "time_zone", "string"),
    ],
)
def test_an_unknown_theme_or_time_zone_is_a_config_error(
    tmp_path: Path, text: str, line: int, key: str, why: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.path, info.value.line, info.value.key) == (path, line, key)
    assert why in str(info.value)


def test_the_theme_and_time_zone_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'theme = "textual-light"\ntime_zone = "Asia/Shanghai"\n'))
    assert (config.theme, config.time_zone) == ("textual-light", "Asia/Shanghai")
    assert load_config(write(tmp_path, 'time_zone = "Local"\n')).time_zone == "local"
    assert Config().time_zone == "local"


def test_the_config_knows_every_theme_of_the_app() -> None:
    from textual.theme import BUILTIN_THEMES

    from ernie_tui.config_checks import THEMES

    assert set(THEMES) == set(BUILTIN_THEMES)

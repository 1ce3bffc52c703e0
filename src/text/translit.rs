//! Latin ↔ Cyrillic conversions: repairing tickets typed in the wrong layout or in translit, and
//! the ASCII transliteration used for URLs.
//!
//! These are hand-written on purpose. Each is a fixed, documented scheme that tests pin down:
//! generic crates (`deunicode` and the like) follow other romanisation schemes, change output
//! between releases (which would break published URLs), and cannot do the reverse direction or
//! the keyboard-layout mapping at all.

/// QWERTY keys and what the same physical key types in the Russian ЙЦУКЕН layout, shifted
/// forms included. Keys missing here (digits, `!`, `%`, …) type the same character in both.
#[rustfmt::skip]
const KEYBOARD: &[(char, char)] = &[
    ('q', 'й'), ('w', 'ц'), ('e', 'у'), ('r', 'к'), ('t', 'е'), ('y', 'н'), ('u', 'г'),
    ('i', 'ш'), ('o', 'щ'), ('p', 'з'), ('[', 'х'), (']', 'ъ'), ('a', 'ф'), ('s', 'ы'),
    ('d', 'в'), ('f', 'а'), ('g', 'п'), ('h', 'р'), ('j', 'о'), ('k', 'л'), ('l', 'д'),
    (';', 'ж'), ('\'', 'э'), ('z', 'я'), ('x', 'ч'), ('c', 'с'), ('v', 'м'), ('b', 'и'),
    ('n', 'т'), ('m', 'ь'), (',', 'б'), ('.', 'ю'), ('/', '.'), ('`', 'ё'),
    ('{', 'Х'), ('}', 'Ъ'), (':', 'Ж'), ('"', 'Э'), ('<', 'Б'), ('>', 'Ю'), ('?', ','),
    ('~', 'Ё'), ('@', '"'), ('#', '№'), ('$', ';'), ('^', ':'), ('&', '?'), ('|', '/'),
];

/// Two-letter Latin spellings of one Russian letter, tried after the longer ones.
#[rustfmt::skip]
const DIGRAPHS: &[(&str, &str)] = &[
    ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("yo", "ё"), ("jo", "ё"),
];

/// One Latin letter read as Russian where no longer spelling applies (`y` depends on what
/// precedes it and is decided in `next_sound`).
#[rustfmt::skip]
const LETTERS: &[(char, &str)] = &[
    ('a', "а"), ('b', "б"), ('c', "ц"), ('d', "д"), ('e', "е"), ('f', "ф"), ('g', "г"),
    ('h', "х"), ('i', "и"), ('j', "й"), ('k', "к"), ('q', "к"), ('l', "л"), ('m', "м"),
    ('n', "н"), ('o', "о"), ('p', "п"), ('r', "р"), ('s', "с"), ('t', "т"), ('u', "у"),
    ('v', "в"), ('w', "в"), ('x', "кс"), ('z', "з"),
];

const RUSSIAN_VOWELS: &str = "аеёиоуыэюя";

/// The keyboard pairs and the Latin spellings, for [`client_tables`].
pub type ClientTables = (Vec<(char, char)>, Vec<(String, String)>);

/// The tables the static search client reads from the built index, so that the browser
/// re-reads the wrong layout and transliteration exactly as the server does: the keyboard
/// pairs, and the Latin spellings longest first (`y` and the apostrophe are the client's two
/// rules of context: `й` at a word's start or after a vowel, else `ы`; `'` is `ь`).
pub fn client_tables() -> ClientTables {
    let keyboard = KEYBOARD.to_vec();
    let mut spellings: Vec<(String, String)> = [("shch", "щ"), ("tsya", "тся"), ("sch", "щ")]
        .iter()
        .chain(DIGRAPHS)
        .map(|&(l, c)| (l.to_string(), c.to_string()))
        .collect();
    spellings.extend(LETTERS.iter().map(|&(l, c)| (l.to_string(), c.to_string())));
    (keyboard, spellings)
}

/// Re-types `chunk` as if the keyboard had been in the Russian layout: text typed in QWERTY
/// while meaning ЙЦУКЕН (`ghbkj;tybt` → `приложение`, `ikfu,fev` → `шлагбаум`).
///
/// Every key is mapped, punctuation included (`,` is `б`, `;` is `ж`, `/` is `.`), keeping
/// the shift state: `Ikfu,fev` → `Шлагбаум`. Characters outside the QWERTY layout are kept.
/// Returns `None` when the chunk has no Latin letter, since then nothing was mistyped.
pub fn fix_keyboard_layout(chunk: &str) -> Option<String> {
    if !chunk.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let retype = |c: char| {
        let key = c.to_ascii_lowercase();
        match KEYBOARD.iter().find(|&&(qwerty, _)| qwerty == key) {
            Some(&(_, russian)) if c.is_ascii_uppercase() => russian.to_uppercase().next(),
            Some(&(_, russian)) => Some(russian),
            None => Some(c),
        }
    };
    Some(chunk.chars().filter_map(retype).collect())
}

/// Reads Russian written phonetically in Latin letters: `ne prihodit sms` → `не приходит смс`.
///
/// Understands the common schemes at once: `sh` ш, `ch` ч, `zh` ж, `kh`/`h` х, `ts`/`c` ц,
/// `shch` щ, `sch` щ (but `сч` at the start of a word: `schet` is счёт, `schityvatel'` is
/// считыватель), `ya`/`ja` я, `yu`/`ju` ю, `yo`/`jo` ё, `x` кс, `w` в, `q` к, `'` or `` ` `` ь.
/// `y` is `й` after a vowel or at the start of a word (`moy` мой) and `ы` after a consonant
/// (`ty` ты); a final `i` after that `ы` is `й` (`novyi` новый), as is `j` (`novyj`). `-tsya` is
/// `-тся`, the reflexive verb ending (`otkryvaetsya`). Words keep their case: capitalised or all
/// capitals. Everything that is not a Latin letter is kept. Returns `None` when the chunk has no
/// Latin letter.
pub fn latin_to_cyrillic(chunk: &str) -> Option<String> {
    if !chunk.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let chars: Vec<char> = chunk.chars().collect();
    let mut out = String::with_capacity(chunk.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphabetic() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // An apostrophe inside or right after a word is a soft sign, so it belongs to the word.
        let len = chars[i..]
            .iter()
            .enumerate()
            .take_while(|&(k, &c)| c.is_ascii_alphabetic() || (k > 0 && is_apostrophe(c)))
            .count();
        out.push_str(&word_to_cyrillic(&chars[i..i + len]));
        i += len;
    }
    Some(out)
}

/// The ASCII transliteration used in URLs, as on Russian passports and in Yandex URLs:
/// `Эскалация в отдел разработки` → `Eskalatsiya v otdel razrabotki`.
///
/// `ж` zh, `х` kh, `ц` ts, `ч` ch, `ш` sh, `щ` shch, `ю` yu, `я` ya, `й` and `ы` y, `ё` e, `ъ` and
/// `ь` dropped. A capital keeps only its first letter capital (`Щ` → `Shch`). Characters other
/// than Russian letters are kept unchanged.
pub fn cyrillic_to_latin(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let lower = super::lowercase_char(c);
        let Some(latin) = russian_letter_to_latin(lower) else {
            out.push(c);
            continue;
        };
        if c == lower {
            out.push_str(latin);
        } else {
            out.push_str(&capitalize(latin));
        }
    }
    out
}

fn russian_letter_to_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '\u{2019}')
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Transliterates one word of Latin letters (and apostrophes after the first letter).
fn word_to_cyrillic(word: &[char]) -> String {
    let lower: Vec<char> = word.iter().map(char::to_ascii_lowercase).collect();
    let all_caps = word.len() > 1 && word.iter().all(|c| !c.is_ascii_lowercase());
    let mut out = String::with_capacity(word.len() * 2);
    let mut i = 0;
    while i < lower.len() {
        let (len, sound) = next_sound(&lower, i, out.chars().next_back());
        if all_caps {
            out.push_str(&sound.to_uppercase());
        } else if word[i].is_ascii_uppercase() {
            out.push_str(&capitalize(sound));
        } else {
            out.push_str(sound);
        }
        i += len;
    }
    out
}

/// The Cyrillic for the Latin letters at `word[i..]` and how many letters it consumed; `prev` is
/// the Cyrillic letter written before, which decides `y` and a final `i`.
fn next_sound(word: &[char], i: usize, prev: Option<char>) -> (usize, &'static str) {
    let rest = &word[i..];
    let starts = |latin: &str| {
        latin.chars().count() <= rest.len() && latin.chars().zip(rest).all(|(a, &b)| a == b)
    };
    let at_start = i == 0;
    let after_vowel =
        prev.is_some_and(|p| RUSSIAN_VOWELS.contains(p.to_lowercase().next().unwrap_or(p)));
    if starts("shch") {
        return (4, "щ");
    }
    if starts("tsya") {
        return (4, "тся");
    }
    if starts("sch") {
        return (3, if at_start { "сч" } else { "щ" });
    }
    if let Some(&(latin, cyrillic)) = DIGRAPHS.iter().find(|&&(latin, _)| starts(latin)) {
        return (latin.len(), cyrillic);
    }
    if starts("ye") && (at_start || after_vowel) {
        return (2, "е");
    }
    let single = match rest[0] {
        'i' if rest.len() == 1 && matches!(prev, Some('ы' | 'Ы')) => "й",
        'y' if at_start || after_vowel => "й",
        'y' => "ы",
        c => LETTERS
            .iter()
            .find(|&&(latin, _)| latin == c)
            // Words hold only letters and apostrophes, and an apostrophe is the soft sign.
            .map_or("ь", |&(_, cyrillic)| cyrillic),
    };
    (1, single)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keyboard_layout_is_fixed() {
        let fixed = |s: &str| fix_keyboard_layout(s).expect("has Latin letters");
        assert_eq!(fixed("ikfu,fev"), "шлагбаум");
        assert_eq!(fixed("ghbkj;tybt"), "приложение");
        assert_eq!(fixed("cvc"), "смс");
        assert_eq!(
            fixed("Ikfu,fev yt jnrhsdftncz/"),
            "Шлагбаум не открывается."
        );
        assert_eq!(fixed("ds[jl? 'nj [jhjij` &"), "выход, это хорошоё ?");
        assert_eq!(fixed("{jhjij 1"), "Хорошо 1");
        assert_eq!(fix_keyboard_layout("шлагбаум, 123!"), None);
    }

    #[test]
    fn translit_is_read_as_russian() {
        let read = |s: &str| latin_to_cyrillic(s).expect("has Latin letters");
        assert_eq!(read("ne prihodit sms"), "не приходит смс");
        for (latin, russian) in [
            ("shlagbaum", "шлагбаум"),
            ("propusk", "пропуск"),
            ("prilozhenie", "приложение"),
            ("kod", "код"),
            ("ohrana", "охрана"),
            ("vorota", "ворота"),
            ("khodit", "ходит"),
            ("tsena", "цена"),
            ("cvet", "цвет"),
            ("ischu", "ищу"),
            ("obshchiy", "общий"),
            ("schet", "счет"),
            ("schityvatel'", "считыватель"),
            ("yavka", "явка"),
            ("dlja", "для"),
            ("yurist", "юрист"),
            ("jolka", "ёлка"),
            ("novyi", "новый"),
            ("novyj", "новый"),
            ("novyy", "новый"),
            ("novye", "новые"),
            ("moye", "мое"),
            ("zayavka", "заявка"),
            ("ty", "ты"),
            ("otkryvaetsya", "открывается"),
            ("ochered`", "очередь"),
            ("taxi", "такси"),
        ] {
            assert_eq!(read(latin), russian, "{latin}");
        }
        assert_eq!(
            read("Shlagbaum ne SMS, 2 raza!"),
            "Шлагбаум не СМС, 2 раза!"
        );
        assert_eq!(read("'kod"), "'код", "a leading quote is punctuation");
        assert_eq!(latin_to_cyrillic("уже по-русски 42"), None);
    }

    #[test]
    fn cyrillic_is_transliterated_for_urls() {
        assert_eq!(
            cyrillic_to_latin("Эскалация в отдел разработки"),
            "Eskalatsiya v otdel razrabotki"
        );
        assert_eq!(
            cyrillic_to_latin("Щука, ёж и подъезд"),
            "Shchuka, ezh i podezd"
        );
        assert_eq!(
            cyrillic_to_latin("Чай Шлагбаум Юла Ящик Ъ"),
            "Chay Shlagbaum Yula Yashchik "
        );
        assert_eq!(cyrillic_to_latin("QR-код 403 «ок»"), "QR-kod 403 «ok»");
        assert_eq!(cyrillic_to_latin("хозяйственный"), "khozyaystvennyy");
    }

    proptest! {
        #[test]
        fn conversions_never_panic(text in any::<String>()) {
            let _ = fix_keyboard_layout(&text);
            let _ = latin_to_cyrillic(&text);
            let _ = cyrillic_to_latin(&text);
        }

        #[test]
        fn url_form_of_russian_text_is_ascii(text in "[а-яА-ЯёЁ0-9 ,.-]{0,60}") {
            prop_assert!(cyrillic_to_latin(&text).is_ascii());
        }

        #[test]
        fn latin_words_become_cyrillic(text in "[a-zA-Z' ]{1,40}") {
            if let Some(russian) = latin_to_cyrillic(&text) {
                prop_assert!(!russian.chars().any(|c| c.is_ascii_alphabetic()));
            }
        }
    }
}

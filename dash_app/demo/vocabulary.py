"""Words the demo data is made of: names, places and products, with accents where real data has them."""

FIRST_NAMES = ("James Mary Olivia Liam Emma Noah Sophia Lucas Zoë José María Łukasz Søren Anna Mateo Chloé "
               "Hiroshi Yuki Ingrid Lars Aisha Omar Priya Wei Fatima Diego Lucía Élodie François Björn Agnieszka "
               "Kenji Sakura Giulia Marco Sanne Daan Freya Oscar Amelia Ethan Isabella Mia Leon Hannah Felix "
               "Clara Tomasz Zofia João Beatriz Chiara Matteo Aurélie Jürgen Astrid Grace Henry").split()
LAST_NAMES = ("Smith Johnson Williams Brown García Müller Schmidt Dubois Martin Rossi Bianchi Nowak Kowalski "
              "Wiśniewski Jensen Nielsen Andersen Visser Jansen Tanaka Suzuki Sato Silva Santos Oliveira "
              "Fernández López Martínez Taylor Wilson Thompson Harris Clark Lewis Walker Young Hall Lefèvre "
              "Ferrari Novak Østergaard Jørgensen Costa Pereira Kim Nguyen Patel Singh O'Brien Becker").split()
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "example.org")
COMPANY_SUFFIXES = ("Ltd", "GmbH", "Group", "& Co", "Holdings", "Partners", "Labs", "Trading")
ASCII_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "'": ""})
CITIES_BY_COUNTRY = {  # country: (calling code, cities)
    "United States": ("1", ("New York", "Chicago", "San Francisco", "Austin", "Seattle")),
    "Canada": ("1", ("Toronto", "Montréal", "Vancouver")),
    "United Kingdom": ("44", ("London", "Manchester", "Edinburgh")),
    "Germany": ("49", ("Berlin", "München", "Hamburg", "Köln")),
    "France": ("33", ("Paris", "Lyon", "Marseille")),
    "Spain": ("34", ("Madrid", "Barcelona", "Sevilla")),
    "Italy": ("39", ("Roma", "Milano", "Torino")),
    "Netherlands": ("31", ("Amsterdam", "Rotterdam")),
    "Denmark": ("45", ("København", "Aarhus")),
    "Poland": ("48", ("Warszawa", "Kraków", "Łódź")),
    "Japan": ("81", ("Tokyo", "Osaka")),
    "Brazil": ("55", ("São Paulo", "Rio de Janeiro")),
}
CITIES = tuple((city, country) for country, (_, cities) in CITIES_BY_COUNTRY.items() for city in cities)
COUNTRIES = tuple(CITIES_BY_COUNTRY)
ADJECTIVES = ("Classic Compact Deluxe Eco Essential Premium Pro Smart Ultra Vintage Urban Nordic Rustic Sleek "
              "Heavy-Duty Lightweight Everyday Signature Modern Travel").split()
CATEGORIES = {  # category: (sku prefix, (min price, max price), nouns)
    "Electronics": ("ELE", (19, 899), ("Headphones", "Speaker", "Charger", "Monitor", "Keyboard", "Webcam")),
    "Home & Kitchen": ("HOM", (9, 349), ("Kettle", "Blender", "Skillet", "Knife Set", "Toaster", "Lamp")),
    "Clothing": ("CLO", (12, 249), ("Jacket", "Sweater", "T-Shirt", "Jeans", "Scarf", "Raincoat")),
    "Sports & Outdoors": ("SPO", (8, 599), ("Tent", "Backpack", "Yoga Mat", "Bike Helmet", "Water Bottle")),
    "Books": ("BOO", (6, 59), ("Cookbook", "Novel", "Atlas", "Field Guide", "Notebook", "Planner")),
    "Beauty": ("BEA", (4, 119), ("Face Cream", "Shampoo", "Perfume", "Lip Balm", "Serum", "Soap")),
    "Toys & Games": ("TOY", (5, 179), ("Puzzle", "Board Game", "Building Set", "Plush Bear", "Kite")),
    "Office Supplies": ("OFF", (2, 499), ("Desk Chair", "Stapler", "Pen Set", "Desk Lamp", "Organizer")),
}
NOTES = ("Leave at the front door.", "Gift wrap, please.", "Call before delivery.", "Urgent: trade show.",
         "Invoice to accounts payable.", "Customer asked for split shipment.")
